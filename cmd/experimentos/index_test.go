package main

import (
	"strings"
	"testing"
)

func TestIndex(t *testing.T) {
	t.Parallel()
	emptyDir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"markdown", []string{"../../testdata/examples"}, exitOK,
			[]string{"| Experiment |", "[md](home-banner/memo.md)", "pricing/annual-toggle"}},
		{"html", []string{"--format", "html", "../../testdata/examples"}, exitOK,
			[]string{"<!DOCTYPE html>", `<a href="payments/one-click/memo.html">`, "<svg"}},
		{"memo base", []string{"../../testdata/examples", "--memo-base", "https://pages.example/memos/"}, exitOK,
			[]string{"(https://pages.example/memos/home-banner/memo.md)"}},
		{"bad format", []string{"--format", "pdf", "../../testdata/examples"}, exitUsage, nil},
		{"missing path", []string{"../../no-such-folder"}, exitUsage, nil},
		{"two paths", []string{"../../testdata/examples", "../../testdata/examples"}, exitUsage, nil},
		{"path without experiments", []string{emptyDir}, exitUsage, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := execCLI(t, append([]string{"index"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("index %q = %d, want %d; stderr:\n%s", tc.args, code, tc.wantCode, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
		})
	}
}

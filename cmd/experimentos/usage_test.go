//go:build unix

package main

import (
	"strings"
	"testing"
)

// TestFailOnHelpAndEmpty: the help says the list replaces the default and
// shows how to add Hold; an empty --fail-on is refused.
func TestFailOnHelpAndEmpty(t *testing.T) {
	t.Parallel()
	broken := brokenTree(t)
	tests := []struct {
		name     string
		args     []string
		want     int
		inStdout string
		inStderr string
	}{
		{"check help", []string{"check", "-h"}, exitOK, "", "The list replaces the default: --fail-on hold fails on Hold only"},
		{"check help shows adding hold", []string{"check", "--help"}, exitOK, "", "--fail-on blocked,rollback,hold"},
		{"top help", []string{"help"}, exitOK, "write --fail-on blocked,rollback,hold to add Hold", ""},
		{"empty", []string{"check", "--fail-on", "", broken}, exitUsage, "", "--fail-on is empty"},
		{"empty with =", []string{"check", "--fail-on=", broken}, exitUsage, "", "--fail-on is empty"},
		{"only commas", []string{"check", "--fail-on", " , ", broken}, exitUsage, "", "--fail-on is empty"},
		{"none fails on nothing", []string{"check", "--fail-on", "none", broken}, exitOK, "bad_value", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, nil, tt.args...)
			if code != tt.want || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, want %d; want %q in stdout, %q in stderr\nstdout:\n%s\nstderr:\n%s", code, tt.want, tt.inStdout, tt.inStderr, stdout, stderr)
			}
		})
	}
}

// TestBinaryUsageExit: the built binary exits 2 on usage errors (go run
// would report 1 for any failure).
func TestBinaryUsageExit(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{},
		{"decide"},
		{"check", "--fail-on", ""},
		{"check", "--fail-on", "launch"},
		{"check", "--colour"},
		{"check", "nope"},
		{"init"},
	} {
		r := runBinary(t, bin, dir, nil, args...)
		if r.code != exitUsage {
			t.Errorf("experimentos %q: exit %d, want %d\n%s", args, r.code, exitUsage, r.stderr)
		}
	}
}

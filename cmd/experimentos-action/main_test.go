package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunRefusesArguments(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"action", "extra"}, {"check"}} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, func(string) string { return "" }, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "takes no arguments") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
	}
	// "action" alone, as action.yml passes it, is the Action mode: outside a
	// runner it is a configuration error naming what is missing.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"action"}, func(string) string { return "" }, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "GITHUB_OUTPUT") {
		t.Errorf("action outside a runner: exit %d, stderr %q", code, errb.String())
	}
}

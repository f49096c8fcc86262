package buildinfo

import "testing"

func TestVersion(t *testing.T) {
	if got := Version("v2.1.0"); got != "v2.1.0" {
		t.Errorf("Version(v2.1.0) = %q", got)
	}
	// A test binary has no module version: "dev".
	if got := Version(""); got != "dev" {
		t.Errorf("Version(\"\") = %q, want dev", got)
	}
}

package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/load"
)

func TestCheckID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id string
		ok bool
	}{
		{"home-banner", true},
		{"growth/checkout-copy", true},
		{"a", true},
		{"0", true},
		{"v1.2_b-c", true},
		{"a/b/c", true},
		{"", false},
		{"Home", false},
		{"-x", false},
		{".x", false},
		{"_x", false},
		{"a b", false},
		{"a//b", false},
		{"/a", false},
		{"a/", false},
		{"..", false},
		{"a/../b", false},
		{"a\\b", false},
		{"é", false},
		{strings.Repeat("a", 201), false},
	}
	for _, tc := range tests {
		err := CheckID(tc.id)
		if got := err == nil; got != tc.ok {
			t.Errorf("CheckID(%q) = %v, want ok %v", tc.id, err, tc.ok)
		}
		var ie *IDError
		if err != nil && !errors.As(err, &ie) {
			t.Errorf("CheckID(%q) = %T, want *IDError", tc.id, err)
		}
	}
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"growth/checkout-copy": "Checkout copy",
		"a_b.c":                "A b c",
		"9lives":               "9lives",
	} {
		if got := DisplayName(id); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "experiments") // created by Create
	c, err := Create(root, "growth/new-test", Options{SchemaRef: "../../../schema/experiment.schema.json"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Config, "growth/new-test/experiment.yaml"; got != want {
		t.Errorf("Config = %q, want %q", got, want)
	}
	yml, err := os.ReadFile(filepath.Join(root, "growth/new-test/experiment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.SplitN(string(yml), "\n", 2)[0], "# yaml-language-server: $schema=../../../schema/experiment.schema.json"; got != want {
		t.Errorf("first line = %q, want %q", got, want)
	}
	csv, err := os.ReadFile(filepath.Join(root, "growth/new-test/results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(csv); got != CSVHeader {
		t.Errorf("results.csv = %q, want %q", got, CSVHeader)
	}

	// The new experiment loads without a single issue: planned, header only.
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	exps, err := load.Root(r.FS(), "experiments", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 1 {
		t.Fatalf("loaded %d experiments, want 1", len(exps))
	}
	e := exps[0]
	if got, want := e.ID, "growth/new-test"; got != want {
		t.Errorf("ID = %q, want %q", got, want)
	}
	if got, want := e.Name, "New test"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	if got, want := string(e.Status), "planned"; got != want {
		t.Errorf("Status = %q, want %q", got, want)
	}
	if len(e.Issues) > 0 {
		t.Errorf("issues: %v", e.Issues)
	}

	// A second Create of the same id refuses and changes nothing.
	if err := os.WriteFile(filepath.Join(root, "growth/new-test/experiment.yaml"), []byte("name: Edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(root, "growth/new-test", Options{}); !errors.Is(err, ErrExists) {
		t.Errorf("second Create = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "growth/new-test/experiment.yaml")); string(b) != "name: Edited\n" {
		t.Errorf("experiment.yaml changed to %q", b)
	}

	// No experiment inside another's folder.
	if _, err := Create(root, "growth/new-test/inner", Options{}); err == nil || !strings.Contains(err.Error(), "is an experiment already") {
		t.Errorf("Create inside an experiment = %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "growth/new-test/inner")); !os.IsNotExist(err) {
		t.Errorf("inner folder exists: %v", err)
	}
	// Invalid ids write nothing.
	if _, err := Create(root, "../escape", Options{}); err == nil {
		t.Error("Create(../escape) succeeded")
	}
}

func TestConfigWithoutSchemaRef(t *testing.T) {
	t.Parallel()
	if got := string(Config("x", Options{})); strings.Contains(got, "yaml-language-server") {
		t.Errorf("Config without SchemaRef has a schema line:\n%s", got)
	}
}

// The schema reference lands in a YAML comment line: a line break in it
// must not smuggle YAML into the new experiment.yaml.
func TestCreateRefusesControlCharactersInSchemaRef(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	_, err := Create(root, "x", Options{SchemaRef: "s.json\nstatus: concluded"})
	if err == nil || !strings.Contains(err.Error(), "control character") {
		t.Fatalf("Create error = %v, want a control-character error", err)
	}
	if _, err := os.Stat(filepath.Join(root, "x")); !os.IsNotExist(err) {
		t.Errorf("Create left %s behind (stat err %v)", filepath.Join(root, "x"), err)
	}
}

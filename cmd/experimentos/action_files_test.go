package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDockerfile checks the image's build (docs/action.md): multi-stage, a
// static trimmed binary with module downloads in their own layer, a base
// pinned by tag (not :nonroot, not :latest) that scripts/container-check can
// replace through a build ARG, a final stage FROM scratch, an exec-form
// ENTRYPOINT and no USER (GitHub runs Docker actions as root to write its
// mounted files).
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	type instr struct{ op, args string }
	var ins []instr
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		op, args, _ := strings.Cut(line, " ")
		ins = append(ins, instr{strings.ToUpper(op), strings.TrimSpace(args)})
	}
	var froms, rawFroms []string
	args := map[string]string{} // global ARGs (before the first FROM) and their defaults
	var copiedMod, downloaded, built bool
	var entry []string
	for i, in := range ins {
		switch in.op {
		case "ARG":
			if len(froms) == 0 {
				name, def, _ := strings.Cut(in.args, "=")
				args[name] = def
			}
		case "FROM":
			f := strings.Fields(in.args)
			rawFroms = append(rawFroms, f[0])
			froms = append(froms, os.Expand(f[0], func(k string) string { return args[k] }))
		case "USER":
			t.Errorf("USER %s: GitHub runs Docker actions as root; the action must be able to write GITHUB_OUTPUT", in.args)
		case "COPY":
			if in.args == "go.mod go.sum ./" {
				copiedMod = true
			}
		case "RUN":
			if in.args == "go mod download" {
				if !copiedMod {
					t.Errorf("go mod download before go.mod/go.sum are copied")
				}
				if slices.ContainsFunc(ins[:i], func(x instr) bool { return x.op == "COPY" && strings.HasPrefix(x.args, ". ") }) {
					t.Errorf("go mod download after the sources are copied: not its own cached layer")
				}
				downloaded = true
			}
			if strings.Contains(in.args, "go build") {
				built = true
				for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w -X main.version=`} {
					if !strings.Contains(in.args, want) {
						t.Errorf("go build lacks %s: %s", want, in.args)
					}
				}
			}
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(in.args), &entry); err != nil {
				t.Errorf("ENTRYPOINT %s is not exec form (a JSON array): %v", in.args, err)
			}
		}
	}
	if len(froms) < 2 {
		t.Errorf("FROM lines = %v, want a multi-stage build", froms)
	}
	pinned := regexp.MustCompile(`^[a-z0-9./_-]+:[A-Za-z0-9._-]+(@sha256:[0-9a-f]{64})?$`)
	for _, f := range froms {
		if f == "scratch" {
			continue
		}
		if !pinned.MatchString(f) || strings.HasSuffix(f, ":latest") || strings.Contains(f, "nonroot") {
			t.Errorf("FROM %s: want an image pinned by tag, not latest or nonroot", f)
		}
	}
	if len(froms) > 0 && !strings.HasPrefix(froms[0], "golang:1.26") {
		t.Errorf("builder = %s, want golang:1.26", froms[0])
	}
	// scripts/container-check builds this file with a stand-in builder (no
	// registry there): the builder must be a global ARG that it passes, and
	// the released final stage must not depend on any ARG.
	if len(rawFroms) > 1 {
		name, ok := strings.CutPrefix(rawFroms[0], "${")
		name, ok2 := strings.CutSuffix(name, "}")
		if _, declared := args[name]; !ok || !ok2 || !declared {
			t.Errorf("builder FROM %s: want ${NAME} of a global ARG with the official image as default", rawFroms[0])
		} else if script, err := os.ReadFile(filepath.Join("..", "..", "scripts", "container-check")); err != nil {
			t.Error(err)
		} else if !strings.Contains(string(script), "--build-arg "+name+"=") {
			t.Errorf("scripts/container-check does not pass --build-arg %s=", name)
		}
		if last := rawFroms[len(rawFroms)-1]; last != "scratch" {
			t.Errorf("final stage FROM %s, want scratch (released as is)", last)
		}
	}
	if last := froms[len(froms)-1]; last == "scratch" && !strings.Contains(string(data), "ca-certificates.crt") {
		t.Errorf("scratch base without CA certificates")
	}
	if !downloaded || !built {
		t.Errorf("go mod download: %v, go build: %v", downloaded, built)
	}
	if len(entry) == 0 || entry[0] != "/experimentos" {
		t.Errorf("ENTRYPOINT = %q, want [\"/experimentos\"]", entry)
	}
}

// TestActionYAML checks action.yml: every input and output of docs/action.md with
// a description (and the inputs' defaults), a Docker action built from the
// Dockerfile running `experimentos action`.
func TestActionYAML(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Name        string
		Description string
		Branding    map[string]string
		Inputs      map[string]struct {
			Description string
			Required    bool
			Default     *string
		}
		Outputs map[string]struct{ Description string }
		Runs    struct {
			Using string
			Image string
			Args  []string
		}
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Name == "" || a.Description == "" || a.Branding["icon"] == "" || a.Branding["color"] == "" {
		t.Errorf("name, description and branding are required for the Marketplace")
	}
	defaults := map[string]string{
		"github-token": "${{ github.token }}",
		"path":         "experiments",
		"fail-on":      "blocked,rollback",
		"comment":      "update",
		"changed-only": "true",
		"memo-dir":     "experimentos-memos",
	}
	for name, def := range defaults {
		in, ok := a.Inputs[name]
		if !ok {
			t.Errorf("input %s missing", name)
			continue
		}
		if in.Description == "" || in.Default == nil || *in.Default != def {
			t.Errorf("input %s: description %q, default %v, want default %q", name, in.Description, in.Default, def)
		}
	}
	if len(a.Inputs) != len(defaults) {
		t.Errorf("inputs = %d, want %d", len(a.Inputs), len(defaults))
	}
	for _, name := range []string{"decision", "blocked", "results-json", "comment-url"} {
		if a.Outputs[name].Description == "" {
			t.Errorf("output %s missing or undescribed", name)
		}
	}
	if a.Runs.Using != "docker" || a.Runs.Image != "Dockerfile" || !slices.Equal(a.Runs.Args, []string{"action"}) {
		t.Errorf("runs = %+v, want docker, Dockerfile, [action]", a.Runs)
	}
}

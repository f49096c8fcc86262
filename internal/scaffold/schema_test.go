package scaffold

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
)

// The JSON Schemas under schema/ are checked here against the loader: the
// same keys (TestSchemaKeysMatchLoader), every committed example and good
// test config valid, every schema-expressible bad config rejected, and the
// loader agreeing with the schema on testdata/schema.
//
// No JSON Schema library is available, so schemaValidator below implements
// the subset of draft 2020-12 the schemas use, and fails on any other
// keyword so that the schemas cannot quietly outgrow it.

const (
	repoRoot       = "../.."
	experimentFile = repoRoot + "/schema/experiment.schema.json"
	repoFile       = repoRoot + "/schema/experimentos.schema.json"
)

// ---- a small draft 2020-12 validator ----

type schemaValidator struct {
	root map[string]any
}

func loadSchema(t *testing.T, file string) *schemaValidator {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if got, want := root["$schema"], "https://json-schema.org/draft/2020-12/schema"; got != want {
		t.Fatalf("%s: $schema = %v, want %v", file, got, want)
	}
	return &schemaValidator{root: root}
}

// Validate returns every violation of the YAML value x, each as
// "<instance path>: <keyword>: <detail>".
func (v *schemaValidator) Validate(x any) []string {
	var errs []string
	v.check(v.root, x, "", &errs)
	return errs
}

// annotations are keywords that never reject a value.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "title": true, "description": true, "default": true,
}

func (v *schemaValidator) resolve(ref string) map[string]any {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		panic("schema test: unsupported $ref " + ref)
	}
	d, ok := v.root["$defs"].(map[string]any)[name].(map[string]any)
	if !ok {
		panic("schema test: no $defs/" + name)
	}
	return d
}

func (v *schemaValidator) check(s map[string]any, x any, at string, errs *[]string) {
	fail := func(kw, format string, args ...any) {
		*errs = append(*errs, fmt.Sprintf("%s: %s: %s", cmp(at), kw, fmt.Sprintf(format, args...)))
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, kw := range keys {
		val := s[kw]
		switch kw {
		case "$ref":
			v.check(v.resolve(val.(string)), x, at, errs)
		case "type":
			var types []string
			switch t := val.(type) {
			case string:
				types = []string{t}
			case []any:
				for _, e := range t {
					types = append(types, e.(string))
				}
			}
			if !slices.ContainsFunc(types, func(t string) bool { return hasType(x, t) }) {
				fail(kw, "%s is not %s", typeOf(x), strings.Join(types, " or "))
				return // the other keywords would only repeat it
			}
		case "enum":
			if !slices.ContainsFunc(val.([]any), func(e any) bool { return equal(e, x) }) {
				fail(kw, "%v is not one of %v", x, val)
			}
		case "const":
			if !equal(val, x) {
				fail(kw, "%v is not %v", x, val)
			}
		case "not":
			if v.valid(val.(map[string]any), x, at) {
				fail(kw, "%v must not match %v", x, val)
			}
		case "allOf":
			for _, sub := range val.([]any) {
				v.check(sub.(map[string]any), x, at, errs)
			}
		case "anyOf":
			if !slices.ContainsFunc(val.([]any), func(sub any) bool { return v.valid(sub.(map[string]any), x, at) }) {
				fail(kw, "%v matches none of %v", x, val)
			}
		case "if":
			if v.valid(val.(map[string]any), x, at) {
				if then, ok := s["then"].(map[string]any); ok {
					v.check(then, x, at, errs)
				}
			} else if els, ok := s["else"].(map[string]any); ok {
				v.check(els, x, at, errs)
			}
		case "then", "else":
			if _, ok := s["if"]; !ok {
				panic("schema test: " + kw + " without if")
			}
		case "properties", "additionalProperties", "required":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			switch kw {
			case "properties":
				for _, name := range sortedKeys(m) {
					if ps, ok := props[name]; ok {
						v.check(ps.(map[string]any), m[name], at+"."+name, errs)
					}
				}
			case "additionalProperties":
				sub, isSchema := val.(map[string]any)
				if val != false && !isSchema {
					panic("schema test: additionalProperties must be false or a schema")
				}
				for _, name := range sortedKeys(m) {
					if _, ok := props[name]; ok {
						continue
					}
					if isSchema {
						v.check(sub, m[name], at+"."+name, errs)
					} else {
						fail(kw, "unknown key %q", name)
					}
				}
			case "required":
				for _, r := range val.([]any) {
					if _, ok := m[r.(string)]; !ok {
						fail(kw, "%q is missing", r)
					}
				}
			}
		case "propertyNames":
			if m, ok := x.(map[string]any); ok {
				for _, name := range sortedKeys(m) {
					if !v.valid(val.(map[string]any), name, at) {
						fail(kw, "key %q is not a valid name here", name)
					}
				}
			}
		case "minProperties", "maxProperties":
			if m, ok := x.(map[string]any); ok {
				if n := float64(len(m)); kw == "minProperties" && n < val.(float64) || kw == "maxProperties" && n > val.(float64) {
					fail(kw, "%d keys (%s %v)", len(m), kw, val)
				}
			}
		case "maxItems":
			if a, ok := x.([]any); ok && float64(len(a)) > val.(float64) {
				fail(kw, "%d items (maxItems %v)", len(a), val)
			}
		case "uniqueItems":
			if val != true {
				panic("schema test: only uniqueItems: true is supported")
			}
			if a, ok := x.([]any); ok {
				for i := range a {
					for j := range i {
						if equal(a[i], a[j]) {
							fail(kw, "items %d and %d are both %v", j, i, a[i])
						}
					}
				}
			}
		case "items":
			if a, ok := x.([]any); ok {
				for i, e := range a {
					v.check(val.(map[string]any), e, fmt.Sprintf("%s[%d]", at, i), errs)
				}
			}
		case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
			n, ok := number(x)
			if !ok {
				continue
			}
			lim := val.(float64)
			bad := map[string]bool{
				"minimum": n < lim, "maximum": n > lim, "exclusiveMinimum": n <= lim, "exclusiveMaximum": n >= lim,
			}[kw]
			if bad {
				fail(kw, "%v is out of range (%s %v)", x, kw, lim)
			}
		case "minLength":
			if str, ok := x.(string); ok && float64(len([]rune(str))) < val.(float64) {
				fail(kw, "%q is shorter than %v", str, val)
			}
		case "pattern":
			if str, ok := x.(string); ok && !regexp.MustCompile(val.(string)).MatchString(str) {
				fail(kw, "%q does not match %s", str, val)
			}
		case "format":
			if val != "date" {
				panic("schema test: unsupported format " + val.(string))
			}
			if str, ok := x.(string); ok {
				if _, err := time.Parse(time.DateOnly, str); err != nil {
					fail(kw, "%q is not a date", str)
				}
			}
		default:
			if !annotations[kw] {
				panic("schema test: unsupported keyword " + kw)
			}
		}
	}
}

// valid reports whether x matches s.
func (v *schemaValidator) valid(s map[string]any, x any, at string) bool {
	var sub []string
	v.check(s, x, at, &sub)
	return len(sub) == 0
}

func cmp(at string) string {
	if at == "" {
		return "(root)"
	}
	return strings.TrimPrefix(at, ".")
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	}
	return 0, false
}

func hasType(x any, t string) bool {
	switch t {
	case "null":
		return x == nil
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "number":
		_, ok := number(x)
		return ok
	case "integer":
		// YAML decides: 10 is an int, 10.0 a float. The loader wants plain
		// digits, so a float is not an integer here.
		switch x.(type) {
		case int, int64, uint64:
			return true
		}
		return false
	}
	panic("schema test: unknown type " + t)
}

func typeOf(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := number(x); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", x)
}

func equal(a, b any) bool {
	if na, ok := number(a); ok {
		nb, ok := number(b)
		return ok && na == nb
	}
	return reflect.DeepEqual(a, b)
}

// yamlValue decodes one YAML document as a JSON-Schema-aware editor sees
// it: timestamps stay strings (the loader reads dates as text), a key
// written twice is an error, as JSON cannot hold it.
func yamlValue(t *testing.T, b []byte) (any, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	budget := 100_000 // aliases can expand exponentially ("billion laughs")
	return nodeValue(doc.Content[0], 0, &budget)
}

func nodeValue(n *yaml.Node, depth int, budget *int) (any, error) {
	if *budget--; depth > 100 || *budget < 0 {
		return nil, fmt.Errorf("too deep or too many nodes")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias, depth+1, budget)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("line %d: key %q written twice", n.Content[i].Line, k)
			}
			v, err := nodeValue(n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!int", "!!float", "!!bool":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return n.Value, nil // !!str, !!timestamp and the rest: text
}

func validateFile(t *testing.T, v *schemaValidator, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	x, err := yamlValue(t, b)
	if err != nil {
		return []string{"yaml: " + err.Error()}
	}
	return v.Validate(x)
}

// ---- the validator on its own ----

func TestSchemaValidator(t *testing.T) {
	t.Parallel()
	v := &schemaValidator{root: map[string]any{
		"type": "object", "additionalProperties": false, "required": []any{"a"},
		"properties": map[string]any{
			"a": map[string]any{"type": "integer", "minimum": 1.0},
			"b": map[string]any{"$ref": "#/$defs/p"},
			"c": map[string]any{"type": "array", "items": map[string]any{"enum": []any{"x"}}},
			"d": map[string]any{"type": []any{"string", "null"}, "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"},
			"e": map[string]any{"not": map[string]any{"const": 0.0}},
			"f": map[string]any{
				"type": "object", "propertyNames": map[string]any{"pattern": "^[a-z]+$"},
				"additionalProperties": map[string]any{"type": "number"}, "minProperties": 2.0, "maxProperties": 3.0,
			},
			"g": map[string]any{"type": "array", "maxItems": 2.0, "uniqueItems": true},
			"h": map[string]any{
				"if":   map[string]any{"required": []any{"k"}, "properties": map[string]any{"k": map[string]any{"const": "r"}}},
				"then": map[string]any{"required": []any{"n"}},
				"else": map[string]any{"not": map[string]any{"anyOf": []any{map[string]any{"required": []any{"n"}}, map[string]any{"required": []any{"m"}}}}},
			},
			"i": map[string]any{"allOf": []any{map[string]any{"type": "number"}, map[string]any{"minimum": 2.0}}},
		},
		"$defs": map[string]any{"p": map[string]any{"type": "number", "exclusiveMinimum": 0.0, "exclusiveMaximum": 1.0}},
	}}
	tests := []struct {
		name, yaml string
		wantErrs   int
	}{
		{"ok", "a: 1\nb: 0.5\nc: [x]\nd: 2026-01-31\ne: 1", 0},
		{"null date", "a: 1\nd:", 0},
		{"missing required", "b: 0.5", 1},
		{"unknown key", "a: 1\nz: 1", 1},
		{"float is not integer", "a: 1.5", 1},
		{"below minimum", "a: 0", 1},
		{"exclusive max", "a: 1\nb: 1", 1},
		{"exclusive min", "a: 1\nb: 0", 1},
		{"quoted number", "a: 1\nb: \"0.5\"", 1},
		{"enum in items", "a: 1\nc: [x, y]", 1},
		{"pattern", "a: 1\nd: 2026-1-1", 2},
		{"bad date", "a: 1\nd: 2026-02-30", 1},
		{"not const", "a: 1\ne: 0", 1},
		{"not an object", "[1]", 1},
		{"free mapping", "a: 1\nf: {x: 1, y: 2.5}", 0},
		{"free mapping value", "a: 1\nf: {x: 1, y: two}", 1},
		{"property name", "a: 1\nf: {x: 1, Y: 2}", 1},
		{"min properties", "a: 1\nf: {x: 1}", 1},
		{"max properties", "a: 1\nf: {w: 1, x: 1, y: 1, z: 1}", 1},
		{"max items", "a: 1\ng: [1, 2, 3]", 1},
		{"unique items", "a: 1\ng: [p, p]", 1},
		{"if then: ok", "a: 1\nh: {k: r, n: 1}", 0},
		{"if then: missing", "a: 1\nh: {k: r}", 1},
		{"else: ok", "a: 1\nh: {k: s}", 0},
		{"else: anyOf matched", "a: 1\nh: {k: s, m: 1}", 1},
		{"allOf both", "a: 1\ni: 3", 0},
		{"allOf one fails", "a: 1\ni: 1", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x, err := yamlValue(t, []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Validate(x); len(got) != tc.wantErrs {
				t.Errorf("Validate(%q) = %q, want %d errors", tc.yaml, got, tc.wantErrs)
			}
		})
	}
}

// ---- the schemas against the loader ----

// schemaKeys walks a schema and returns the keys of every mapping it
// describes, by the section names of load.ConfigKeys: a mapping is named by
// its key ("primary", "columns", "guardrails[]" for a list item), the root
// by top, and a mapping inside guardrail_defaults (one kind's margins)
// "guardrail_defaults.<kind>". Mappings of one section with different keys
// (say, primary.columns and guardrails[].columns) are returned in clash.
func schemaKeys(v *schemaValidator, top string) (out map[string][]string, clash []string) {
	out = make(map[string][]string)
	var walk func(s map[string]any, parent, section string)
	walk = func(s map[string]any, parent, section string) {
		if ref, ok := s["$ref"].(string); ok {
			s = v.resolve(ref)
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(items, parent, section+"[]")
		}
		props, ok := s["properties"].(map[string]any)
		if !ok {
			return
		}
		name := section
		switch {
		case section == "":
			name = top
		case parent == "guardrail_defaults":
			name = "guardrail_defaults.<kind>"
		}
		keys := sortedKeys(props)
		if prev, ok := out[name]; ok && !slices.Equal(prev, keys) {
			clash = append(clash, fmt.Sprintf("section %q has keys %v in one place and %v in another", name, prev, keys))
		}
		out[name] = keys
		for _, k := range keys {
			walk(props[k].(map[string]any), section, k)
		}
	}
	walk(v.root, "", "")
	return out, clash
}

func TestSchemaKeysMatchLoader(t *testing.T) {
	t.Parallel()
	exp, repo := loadSchema(t, experimentFile), loadSchema(t, repoFile)
	got, clash := schemaKeys(exp, "")
	repoKeys, repoClash := schemaKeys(repo, "experimentos.yaml")
	for _, c := range append(clash, repoClash...) {
		t.Error(c)
	}
	for section, keys := range repoKeys {
		if prev, ok := got[section]; ok && !slices.Equal(prev, keys) {
			t.Errorf("section %q differs between the two schemas: %v and %v", section, prev, keys)
		}
		got[section] = keys
	}
	want := load.ConfigKeys()
	for section, keys := range want {
		keys = slices.Clone(keys)
		sort.Strings(keys)
		if !slices.Equal(got[section], keys) {
			t.Errorf("section %q: schema has %v, the loader accepts %v", section, got[section], keys)
		}
	}
	for section := range got {
		if _, ok := want[section]; !ok {
			t.Errorf("schema section %q (keys %v) is not one the loader reads", section, got[section])
		}
	}
	// Each file spells out the definitions it shares with the other
	// (thresholds, margin...); they must agree entirely.
	expDefs, repoDefs := exp.root["$defs"].(map[string]any), repo.root["$defs"].(map[string]any)
	shared := 0
	for name, d := range repoDefs {
		if e, ok := expDefs[name]; ok {
			shared++
			if !reflect.DeepEqual(e, d) {
				t.Errorf("$defs/%s differs between experiment.schema.json and experimentos.schema.json", name)
			}
		}
	}
	if shared < 4 {
		t.Errorf("only %d $defs shared between the schemas; want thresholds, probability, margin, desired", shared)
	}
}

// TestSchemaKeysWalk checks schemaKeys itself on a small schema, so that a
// walker that sees nothing cannot pass TestSchemaKeysMatchLoader.
func TestSchemaKeysWalk(t *testing.T) {
	t.Parallel()
	v := &schemaValidator{root: map[string]any{
		"properties": map[string]any{
			"a":    map[string]any{"$ref": "#/$defs/m"},
			"list": map[string]any{"items": map[string]any{"$ref": "#/$defs/m"}},
			"free": map[string]any{"additionalProperties": map[string]any{"type": "number"}},
			"guardrail_defaults": map[string]any{"properties": map[string]any{
				"desired": map[string]any{}, "mean": map[string]any{"properties": map[string]any{"w": map[string]any{}}},
				"ratio": map[string]any{"properties": map[string]any{"s": map[string]any{}}},
			}},
		},
		"$defs": map[string]any{"m": map[string]any{"properties": map[string]any{
			"x": map[string]any{}, "columns": map[string]any{"properties": map[string]any{"sum": map[string]any{}}},
		}}},
	}}
	got, clash := schemaKeys(v, "top")
	want := map[string][]string{
		"top":                       {"a", "free", "guardrail_defaults", "list"},
		"a":                         {"columns", "x"},
		"list[]":                    {"columns", "x"},
		"columns":                   {"sum"},
		"guardrail_defaults":        {"desired", "mean", "ratio"},
		"guardrail_defaults.<kind>": {"s"}, // the last one walked; the clash is reported
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("schemaKeys = %v, want %v", got, want)
	}
	if len(clash) != 1 || !strings.Contains(clash[0], "guardrail_defaults.<kind>") {
		t.Errorf("clash = %q, want one for guardrail_defaults.<kind>", clash)
	}
}

// yamlFiles lists the files named name below dir.
func yamlFiles(t *testing.T, dir, name string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == name {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaAcceptsExamples(t *testing.T) {
	t.Parallel()
	exp, repo := loadSchema(t, experimentFile), loadSchema(t, repoFile)
	var n int
	for _, dir := range []string{repoRoot + "/experiments", repoRoot + "/testdata/load/good"} {
		for _, f := range yamlFiles(t, dir, "experiment.yaml") {
			n++
			if errs := validateFile(t, exp, f); len(errs) > 0 {
				t.Errorf("%s: %q", f, errs)
			}
		}
		for _, f := range yamlFiles(t, dir, "experimentos.yaml") {
			n++
			if errs := validateFile(t, repo, f); len(errs) > 0 {
				t.Errorf("%s: %q", f, errs)
			}
		}
	}
	if n < 8 {
		t.Errorf("validated only %d files; were the examples moved?", n)
	}
	// The file init writes is valid too.
	x, err := yamlValue(t, Config("growth/new-test", Options{SchemaRef: "../../schema/experiment.schema.json"}))
	if err != nil {
		t.Fatal(err)
	}
	if errs := exp.Validate(x); len(errs) > 0 {
		t.Errorf("init's experiment.yaml: %q", errs)
	}
}

// TestSchemaRejectsLoaderBadConfigs sorts every case of testdata/load/bad:
// the schema must reject those a schema can express, and the rest are
// listed with the reason the loader, not the schema, catches them. A new
// case fails until it is sorted.
func TestSchemaRejectsLoaderBadConfigs(t *testing.T) {
	t.Parallel()
	exp, repo := loadSchema(t, experimentFile), loadSchema(t, repoFile)
	expressible := map[string]string{
		"alpha-2":         "exclusiveMaximum",
		"bad-date":        "format",
		"bad-plan":        "minimum",
		"bad-status":      "enum",
		"deep-nesting":    "type",
		"duplicate-key":   "yaml", // JSON cannot hold a key twice; YAML decoding refuses it
		"missing-name":    "required",
		"negative-weight": "exclusiveMinimum",
		"quoted-alpha":    "type",
		"repo-broken":     "additionalProperties",
		"unknown-key":     "additionalProperties",
		"wrong-type":      "type",
	}
	loaderOnly := map[string]string{
		"end-before-start":         "cross-field: end before start",
		"srm-order":                "cross-field: srm_blocked_p above srm_warning_p",
		"severe-below-worsened":    "cross-field: severe_threshold below worsened_threshold",
		"data-absolute":            "path confinement: data leaves the experiments root",
		"data-dotdot":              "path confinement: data leaves the experiments root",
		"guardrail-missing-column": "needs the CSV header",
		"billion-laughs":           "YAML resource limit",
		"two-documents":            "YAML stream shape",
		"yaml-syntax":              "YAML syntax",
		"bad-id":                   "folder name, not YAML",
	}
	dirs, err := os.ReadDir(repoRoot + "/testdata/load/bad")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		name := d.Name()
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(repoRoot, "testdata/load/bad", name)
		var errs []string
		for _, f := range yamlFiles(t, dir, "experiment.yaml") {
			errs = append(errs, validateFile(t, exp, f)...)
		}
		for _, f := range yamlFiles(t, dir, "experimentos.yaml") {
			errs = append(errs, validateFile(t, repo, f)...)
		}
		kw, isExpressible := expressible[name]
		_, isLoaderOnly := loaderOnly[name]
		switch {
		case isExpressible:
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, kw) }) {
				t.Errorf("%s: schema errors %q, want one from %q", name, errs, kw)
			}
		case isLoaderOnly:
			// The schema may or may not see it; the loader does.
		case len(errs) > 0:
			t.Errorf("%s: schema rejects it (%q) but it is not listed as expressible", name, errs)
		default:
			// A data (CSV) case: its YAML is fine, and must stay valid.
		}
	}
}

// TestSchemaCases runs testdata/schema: good files are valid for schema
// and loader alike (the loader reports no Blocked issue at all); bad files
// are rejected by both, so the schema is never stricter or looser than the
// loader on them, and the schema for the reason the case's first line
// names ("# schema: split.b: exclusiveMinimum"). A case <name>.yaml may bring its results.csv as
// <name>.csv beside it (three arms, mean or ratio columns); the others
// share defaultCSV.
func TestSchemaCases(t *testing.T) {
	t.Parallel()
	for _, file := range []struct{ dir, name string }{{"experiment", "experiment.yaml"}, {"experimentos", "experimentos.yaml"}} {
		v := loadSchema(t, repoRoot+"/schema/"+file.name[:len(file.name)-len(".yaml")]+".schema.json")
		for _, verdict := range []string{"good", "bad"} {
			matches, err := filepath.Glob(filepath.Join(repoRoot, "testdata/schema", file.dir, verdict, "*.yaml"))
			if err != nil || len(matches) == 0 {
				t.Fatalf("no cases in testdata/schema/%s/%s: %v", file.dir, verdict, err)
			}
			for _, m := range matches {
				t.Run(file.dir+"/"+verdict+"/"+filepath.Base(m), func(t *testing.T) {
					t.Parallel()
					errs := validateFile(t, v, m)
					b, err := os.ReadFile(m)
					if err != nil {
						t.Fatal(err)
					}
					csv, err := os.ReadFile(strings.TrimSuffix(m, ".yaml") + ".csv")
					if errors.Is(err, fs.ErrNotExist) {
						csv, err = []byte(defaultCSV), nil
					}
					if err != nil {
						t.Fatal(err)
					}
					issues := loaderIssues(t, file.name, b, csv)
					if verdict == "good" {
						if len(errs) > 0 {
							t.Errorf("schema: %q", errs)
						}
						if blocked := slices.DeleteFunc(issues, func(is experiment.Issue) bool { return is.Severity != experiment.SeverityBlocked }); len(blocked) > 0 {
							t.Errorf("loader: %v", blocked)
						}
						return
					}
					want := wantSchemaError(b)
					if want == "" {
						t.Fatal(`a bad case starts with "# schema: <path>: <keyword>", the error the schema must give`)
					}
					if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, want+": ") }) {
						t.Errorf("schema errors %q, want one starting %q", errs, want)
					}
					if !slices.ContainsFunc(issues, yamlRejection) {
						t.Errorf("loader accepts it (issues %v): the case does not belong in bad/", issues)
					}
				})
			}
		}
	}
}

// wantSchemaError returns the "<path>: <keyword>" of a bad case's first
// line "# schema: <path>: <keyword>", or "".
func wantSchemaError(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	want, _ := strings.CutPrefix(line, "# schema: ")
	if want == line {
		return ""
	}
	return strings.TrimSpace(want)
}

// defaultCSV is the results.csv of a case without its own.
const defaultCSV = "variant,users,conversions,guardrail_a,guardrail_b,guardrail_error\ncontrol,1000,100,1,1,1\ntreatment,1000,100,1,1,1\n"

// yamlRejection reports whether is rejects a YAML file: Blocked, on a
// .yaml file, for its content.
func yamlRejection(is experiment.Issue) bool {
	switch is.Code {
	case experiment.CodeBadConfig, experiment.CodeUnreadable, experiment.CodeLimitExceeded:
		return is.Severity == experiment.SeverityBlocked && strings.HasSuffix(is.File, ".yaml")
	}
	return false
}

// loaderIssues loads b as the named file of a one-experiment root whose
// results.csv is csv, and returns every issue.
func loaderIssues(t *testing.T, name string, b, csv []byte) []experiment.Issue {
	t.Helper()
	fsys := fstest.MapFS{"exp/results.csv": {Data: csv}}
	if name == "experimentos.yaml" {
		fsys["experimentos.yaml"] = &fstest.MapFile{Data: b}
		fsys["exp/experiment.yaml"] = &fstest.MapFile{Data: []byte("name: X\n")}
	} else {
		fsys["exp/experiment.yaml"] = &fstest.MapFile{Data: b}
	}
	exps, err := load.Root(fsys, "experiments", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []experiment.Issue
	for _, e := range exps {
		out = append(out, e.Issues...)
	}
	return out
}

// uncomment turns a commented block of the template into YAML: "# " is
// removed after each line's own indentation, and the indentation that
// followed it is reduced by the block's smallest, so that an example
// indented inside prose ("#   split: {...}") lands at its own level.
func uncomment(block string) string {
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	type parts struct{ before, after, rest string }
	ps := make([]parts, len(lines))
	minAfter := math.MaxInt
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		body, ok := strings.CutPrefix(trimmed, "#")
		if !ok {
			panic("uncomment: not a comment line: " + l)
		}
		body = strings.TrimPrefix(body, " ")
		rest := strings.TrimLeft(body, " ")
		ps[i] = parts{l[:len(l)-len(trimmed)], body[:len(body)-len(rest)], rest}
		minAfter = min(minAfter, len(ps[i].after))
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.before + p.after[minAfter:] + p.rest + "\n")
	}
	return b.String()
}

func TestUncomment(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"# plan:\n#   mde: 0.05   # note\n", "plan:\n  mde: 0.05   # note\n"},
		{"#   split: {a: 1}\n", "split: {a: 1}\n"},
		{"  # type: mean\n", "  type: mean\n"},
		{"#   - metric: x\n#     type: events\n", "- metric: x\n  type: events\n"},
	}
	for _, tc := range tests {
		if got := uncomment(tc.in); got != tc.want {
			t.Errorf("uncomment(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// templateBlock returns the commented lines of cfg from the line starting
// with first (after its indentation) through the last line of the block:
// the following lines that are comments indented deeper than first's
// text, or, when deeper is false, just the first line.
func templateBlock(t *testing.T, cfg, first string, deeper bool) string {
	t.Helper()
	lines := strings.SplitAfter(cfg, "\n")
	for i, l := range lines {
		if strings.TrimLeft(l, " ") != first+"\n" && !strings.HasPrefix(strings.TrimLeft(l, " "), first+" ") {
			continue
		}
		out := l
		if deeper {
			indent := len(l) - len(strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(l, " "), "#"), " "))
			for _, m := range lines[i+1:] {
				body := strings.TrimLeft(m, " ")
				rest, ok := strings.CutPrefix(body, "#")
				if !ok || len(m)-len(strings.TrimLeft(rest, " ")) <= indent || strings.TrimSpace(rest) == "" {
					break
				}
				out += m
			}
		}
		return out
	}
	t.Fatalf("the template has no line %q", first)
	return ""
}

// TestTemplateExamples uncomments each example of init's experiment.yaml,
// as a user would, and checks the result against the schema and the
// loader (status running, with a CSV holding the columns the example
// names): the template's advice must work as written.
func TestTemplateExamples(t *testing.T) {
	t.Parallel()
	exp := loadSchema(t, experimentFile)
	const (
		twoArms   = "variant,users,conversions\ncontrol,1000,100\ntreatment,1000,104\n"
		threeArms = "variant,users,conversions\ncontrol,1000,100\nb,1000,104\nc,990,99\n"
		segmented = "variant,platform,users,conversions\ncontrol,ios,500,50\ncontrol,web,500,50\ntreatment,ios,500,52\ntreatment,web,500,52\n"
		revenue   = "variant,users,rev_total,rev_sq\ncontrol,1000,5000,100000\ntreatment,1000,5100,101000\n"
		// Every column the guardrail and secondary examples name.
		full = "variant,users,conversions,pageviews,guardrail_error,revenue_sum,revenue_sum_squares,orders_sum,orders_sum_squares,revenue_orders_sum_product\n" +
			"control,1000,100,3000,10,5000,100000,1200,2000,9000\ntreatment,1000,104,3100,11,5100,101000,1210,2010,9100\n"
	)
	type edit struct {
		first  string // the example's first line, as in the template
		deeper bool   // the example goes on over the lines indented below it
	}
	tests := []struct {
		name  string
		edits []edit
		drop  [2]string // remove the active lines from drop[0] up to drop[1]
		csv   string
		check func(*testing.T, *experiment.Experiment)
	}{
		{name: "as written", csv: twoArms, check: func(t *testing.T, e *experiment.Experiment) {
			if e.Primary.Name != "conversions" || e.Primary.Kind != experiment.KindProportion {
				t.Errorf("primary = %+v", e.Primary)
			}
		}},
		{name: "control", edits: []edit{{"# control:", false}}, csv: twoArms, check: func(t *testing.T, e *experiment.Experiment) {
			if e.Control != "control" {
				t.Errorf("control = %q", e.Control)
			}
		}},
		{name: "three arms", edits: []edit{{"#   split:", false}}, drop: [2]string{"split: {control: 50", "\n"}, csv: threeArms,
			check: func(t *testing.T, e *experiment.Experiment) {
				if want := map[string]float64{"control": 34, "b": 33, "c": 33}; !reflect.DeepEqual(e.Split, want) {
					t.Errorf("split = %v, want %v", e.Split, want)
				}
			}},
		{name: "segments", edits: []edit{{"# segments:", false}}, csv: segmented, check: func(t *testing.T, e *experiment.Experiment) {
			if !slices.Equal(e.Segments, []string{"platform"}) {
				t.Errorf("segments = %v", e.Segments)
			}
		}},
		{name: "plan", edits: []edit{{"# plan:", true}}, csv: twoArms, check: func(t *testing.T, e *experiment.Experiment) {
			if e.Plan.UsersPerArm != 20000 || e.Plan.DailyUsers != 4000 || e.Plan.Baseline == nil || *e.Plan.Baseline != 0.12 {
				t.Errorf("plan = %+v", e.Plan)
			}
		}},
		{name: "type and cuped", edits: []edit{{"# type:", false}, {"# cuped:", false}}, csv: twoArms, check: func(t *testing.T, e *experiment.Experiment) {
			if e.Primary.Kind != experiment.KindProportion || e.Primary.CUPED {
				t.Errorf("primary = %+v", e.Primary)
			}
		}},
		{name: "mean primary", edits: []edit{{"# primary:", true}}, drop: [2]string{"# The primary metric", "# Revenue per visitor instead"}, csv: revenue,
			check: func(t *testing.T, e *experiment.Experiment) {
				if e.Primary.Kind != experiment.KindMean || e.Primary.Columns[experiment.RoleSum] != "rev_total" || e.Primary.Label != "Revenue per visitor" {
					t.Errorf("primary = %+v", e.Primary)
				}
			}},
		{name: "secondary", edits: []edit{{"# secondary:", true}}, csv: full, check: func(t *testing.T, e *experiment.Experiment) {
			if len(e.Secondary) != 1 || e.Secondary[0].Kind != experiment.KindEvents {
				t.Errorf("secondary = %+v", e.Secondary)
			}
		}},
		{name: "guardrails", edits: []edit{{"# guardrails:", true}}, csv: full, check: func(t *testing.T, e *experiment.Experiment) {
			if len(e.Guardrails) != 2 || e.Guardrails[1].Kind != experiment.KindRatio || !e.Guardrails[1].Worsened.Relative || e.Guardrails[1].Worsened.Value.String() != "0.02" {
				t.Errorf("guardrails = %+v", e.Guardrails)
			}
		}},
		{name: "amendment", edits: []edit{{"# amendment:", false}}, csv: twoArms, check: func(t *testing.T, e *experiment.Experiment) {
			if !strings.HasPrefix(e.Amendment, "2026-11-20:") {
				t.Errorf("amendment = %q", e.Amendment)
			}
		}},
		{name: "thresholds", edits: []edit{{"# thresholds:", true}}, csv: twoArms, check: func(t *testing.T, e *experiment.Experiment) {
			if th := e.Thresholds; th.Sequential || th.SequentialTuning != 5000 || th.GuardrailPolicy != experiment.DoNoHarm || th.MinUsers != 100 {
				t.Errorf("thresholds = %+v", th)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := string(Config("growth/new-test", Options{}))
			for _, ed := range tc.edits {
				block := templateBlock(t, cfg, ed.first, ed.deeper)
				cfg = strings.Replace(cfg, block, uncomment(block), 1)
			}
			if tc.drop[0] != "" {
				i := strings.Index(cfg, tc.drop[0])
				j := strings.Index(cfg[i+1:], tc.drop[1])
				if i < 0 || j < 0 {
					t.Fatalf("no %q ... %q to drop", tc.drop[0], tc.drop[1])
				}
				cfg = cfg[:i] + cfg[i+1+j:]
			}
			running := strings.Replace(cfg, "\nstatus: planned\n", "\nstatus: running\n", 1)
			if running == cfg {
				t.Fatal("no status: planned line")
			}
			x, err := yamlValue(t, []byte(running))
			if err != nil {
				t.Fatalf("%v in\n%s", err, running)
			}
			if errs := exp.Validate(x); len(errs) > 0 {
				t.Errorf("schema: %q in\n%s", errs, running)
			}
			fsys := fstest.MapFS{"exp/experiment.yaml": {Data: []byte(running)}, "exp/results.csv": {Data: []byte(tc.csv)}}
			exps, err := load.Root(fsys, "experiments", load.Options{})
			if err != nil || len(exps) != 1 {
				t.Fatalf("load: %d experiments, %v", len(exps), err)
			}
			if len(exps[0].Issues) > 0 {
				t.Errorf("loader issues: %v in\n%s", exps[0].Issues, running)
			}
			tc.check(t, exps[0])
		})
	}
}

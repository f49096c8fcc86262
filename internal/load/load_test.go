package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/experimentos/experimentos/internal/experiment"
)

const corpus = "../../testdata/load"

// at is an issue without its message: what the tests pin down.
type at struct {
	sev    experiment.Severity
	code   string
	file   string
	line   int
	column string
	col    int
}

const (
	blocked = experiment.SeverityBlocked
	warning = experiment.SeverityWarning
	yml     = "experiments/exp/experiment.yaml"
	csvf    = "experiments/exp/results.csv"
)

// loadDir loads testdata/load/<dir> through os.OpenRoot, as production does.
func loadDir(t *testing.T, dir string, lim Limits) []*experiment.Experiment {
	t.Helper()
	r, err := os.OpenRoot(filepath.Join(corpus, filepath.FromSlash(dir)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	exps, err := Root(r.FS(), "experiments", Options{Limits: lim})
	if err != nil {
		t.Fatalf("Root(%s): %v", dir, err)
	}
	return exps
}

func loadMap(t *testing.T, fsys fstest.MapFS, lim Limits) []*experiment.Experiment {
	t.Helper()
	exps, err := Root(fsys, "experiments", Options{Limits: lim})
	if err != nil {
		t.Fatalf("Root: %v", err)
	}
	return exps
}

// firstIssue checks that e has issues and that the first is at want, and
// returns it.
func firstIssue(t *testing.T, e *experiment.Experiment, want at) experiment.Issue {
	t.Helper()
	if len(e.Issues) == 0 {
		t.Fatalf("no issue, want %+v", want)
	}
	is := e.Issues[0]
	if got := (at{is.Severity, is.Code, is.File, is.Line, is.Column, is.Col}); got != want {
		t.Errorf("first issue = %+v, want %+v\n%v", got, want, e.Issues)
	}
	return is
}

// checkIssues compares the experiment's issues, in order, with want, and
// checks that every issue explains itself.
func checkIssues(t *testing.T, e *experiment.Experiment, want []at, msg string) {
	t.Helper()
	var got []at
	for _, is := range e.Issues {
		got = append(got, at{is.Severity, is.Code, is.File, is.Line, is.Column, is.Col})
		if is.Message == "" {
			t.Errorf("%s: issue %v has no message", e.ID, is)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %d issues, want %d:\n got  %v\n want %v\n%v", e.ID, len(got), len(want), got, want, e.Issues)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: issue %d = %+v, want %+v (%s)", e.ID, i, got[i], want[i], e.Issues[i].Message)
		}
	}
	if msg != "" && (len(e.Issues) == 0 || !strings.Contains(e.Issues[0].Message, msg)) {
		t.Errorf("%s: first issue's message does not contain %q: %v", e.ID, msg, e.Issues)
	}
}

var mfile = func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

const (
	goodYAML = "name: Home banner\nstart: 2026-11-01\nend: 2026-11-14\n"
	goodCSV  = "variant,users,conversions,guardrail_error\ncontrol,10000,1200,35\ntreatment,10050,1320,33\n"
)

// oneExp is a MapFS holding experiments/exp with the given files.
func oneExp(yaml, csv string) fstest.MapFS {
	m := fstest.MapFS{"exp/experiment.yaml": mfile(yaml)}
	if csv != "" {
		m["exp/results.csv"] = mfile(csv)
	}
	return m
}

func TestRootBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dir  string       // a root under testdata/load, or
		fsys fstest.MapFS // an in-memory root
		lim  Limits
		id   string // experiment to check; default the only one
		want []at
		msg  string // the first issue's message contains this
	}{
		{name: "empty csv", dir: "bad/empty-csv", want: []at{{blocked, "unreadable", csvf, 0, "", 0}}, msg: "is empty"},
		{name: "header only", dir: "bad/header-only", want: []at{{blocked, "bad_variants", csvf, 1, "variant", 1}}, msg: "no data rows"},
		{name: "duplicate header", dir: "bad/duplicate-header", want: []at{{blocked, "duplicate_column", csvf, 1, "users", 4}}},
		{name: "1.5 users", dir: "bad/users-fraction", want: []at{{blocked, "bad_value", csvf, 2, "users", 2}}, msg: "whole number"},
		{name: "negative count", dir: "bad/negative", want: []at{{blocked, "bad_value", csvf, 2, "conversions", 3}}, msg: "negative"},
		{name: "NaN", dir: "bad/nan", want: []at{{blocked, "bad_value", csvf, 3, "users", 2}}, msg: "not a number"},
		{name: "1e3", dir: "bad/scientific", want: []at{{blocked, "bad_value", csvf, 2, "users", 2}}, msg: "1000 rather than 1e3"},
		{name: "1,000 quoted", dir: "bad/thousands", want: []at{{blocked, "bad_value", csvf, 2, "users", 2}}, msg: "thousands separators"},
		{name: "1,000 unquoted", dir: "bad/unquoted-thousands", want: []at{{blocked, "bad_value", csvf, 2, "", 4}}, msg: "thousands separator"},
		{name: "empty cell", dir: "bad/empty-cell", want: []at{{blocked, "bad_value", csvf, 2, "conversions", 3}}, msg: "is empty"},
		{name: "zero users", dir: "bad/users-zero", want: []at{{blocked, "bad_value", csvf, 2, "users", 2}}},
		{name: "huge integer", dir: "bad/huge-integer", want: []at{{blocked, "limit_exceeded", csvf, 2, "users", 2}}, msg: "2^53"},
		{name: "missing variant column", dir: "bad/missing-variant", want: []at{{blocked, "missing_column", csvf, 1, "variant", 0}}},
		{name: "two control rows", dir: "bad/duplicate-control", want: []at{
			{blocked, "bad_variants", csvf, 1, "variant", 1},
			{blocked, "bad_variants", csvf, 3, "variant", 1},
		}, msg: "at least one other arm"},
		{name: "conversions above users", dir: "bad/conversions-exceed", want: []at{{blocked, "conversions_exceed_users", csvf, 2, "conversions", 3}}},
		{name: "proportion guardrail above users", dir: "bad/proportion-above-users", want: []at{{blocked, "bad_value", csvf, 2, "guardrail_error", 4}}, msg: "type: events"},
		{name: "auto guardrail counting events", dir: "bad/events-auto", want: []at{{warning, "events_per_user", csvf, 2, "guardrail_clicks", 4}}},
		{name: "unterminated quote", dir: "bad/bad-quote", want: []at{{blocked, "unreadable", csvf, 3, "", 0}}, msg: "not valid CSV"},
		{name: "NUL byte", dir: "bad/nul-bytes", want: []at{{blocked, "unreadable", csvf, 3, "", 0}}, msg: "NUL"},
		{name: "invalid UTF-8", dir: "bad/invalid-utf8", want: []at{{blocked, "unreadable", csvf, 4, "", 0}}, msg: "UTF-8"},
		{name: "missing csv", dir: "bad/missing-csv", want: []at{{blocked, "unreadable", csvf, 0, "", 0}}, msg: "does not exist"},
		{name: "unknown key", dir: "bad/unknown-key", want: []at{{blocked, "bad_config", yml, 2, "hypotesis", 1}}, msg: "did you mean hypothesis?"},
		{name: "wrong type", dir: "bad/wrong-type", want: []at{{blocked, "bad_config", yml, 6, "split", 1}}, msg: "must map each arm label"},
		{name: "quoted number", dir: "bad/quoted-alpha", want: []at{{blocked, "bad_config", yml, 7, "thresholds.alpha", 3}}},
		{name: "alpha 2", dir: "bad/alpha-2", want: []at{{blocked, "bad_config", yml, 7, "thresholds.alpha", 3}}, msg: "between 0 and 1"},
		{name: "srm thresholds swapped", dir: "bad/srm-order", want: []at{{blocked, "bad_config", yml, 8, "thresholds.srm_blocked_p", 3}}},
		{name: "severe below worsened", dir: "bad/severe-below-worsened", want: []at{{blocked, "bad_config", yml, 9, "guardrails[0].severe_threshold", 5}}},
		{name: "negative weight", dir: "bad/negative-weight", want: []at{{blocked, "bad_config", yml, 6, "split.treatment", 22}}},
		{name: "users_per_arm 0", dir: "bad/bad-plan", want: []at{{blocked, "bad_config", yml, 7, "plan.users_per_arm", 3}}},
		{name: "unknown status", dir: "bad/bad-status", want: []at{{blocked, "bad_config", yml, 6, "status", 1}}, msg: "did you mean running?"},
		{name: "month 13", dir: "bad/bad-date", want: []at{{blocked, "bad_config", yml, 2, "start", 1}}, msg: "YYYY-MM-DD"},
		{name: "end before start", dir: "bad/end-before-start", want: []at{{blocked, "bad_dates", yml, 3, "end", 1}}},
		{name: "duplicate key", dir: "bad/duplicate-key", want: []at{{blocked, "bad_config", yml, 6, "name", 1}}, msg: "twice"},
		{name: "missing name", dir: "bad/missing-name", want: []at{{blocked, "bad_config", yml, 1, "name", 1}}, msg: "required"},
		{name: "yaml syntax error", dir: "bad/yaml-syntax", want: []at{{blocked, "unreadable", yml, 2, "", 0}}, msg: "not valid YAML"},
		{name: "two documents", dir: "bad/two-documents", want: []at{{blocked, "bad_config", yml, 6, "", 1}}},
		{name: "guardrail names a missing column", dir: "bad/guardrail-missing-column", want: []at{{blocked, "bad_config", yml, 8, "guardrails[1].metric", 5}}, msg: "guardrail_latency"},
		{name: "bad id", dir: "bad/bad-id", id: "Bad_ID", want: []at{{blocked, "bad_config", "experiments/Bad_ID/experiment.yaml", 0, "id", 0}}},
		{name: "data ../../etc/passwd", dir: "bad/data-dotdot", want: []at{{blocked, "path_escape", yml, 6, "data", 1}}, msg: "leaves the experiments root"},
		{name: "absolute data", dir: "bad/data-absolute", want: []at{{blocked, "path_escape", yml, 6, "data", 1}}, msg: "absolute"},
		{name: "billion laughs", dir: "bad/billion-laughs", want: []at{{blocked, "limit_exceeded", yml, 6, "e[0]", 8}}, msg: "10000 YAML nodes"},
		{name: "deep nesting", dir: "bad/deep-nesting", want: []at{{blocked, "limit_exceeded", yml, 2, "plan" + strings.Repeat("[0]", 31), 38}}, msg: "deeper than 32"},
		{name: "broken experimentos.yaml", dir: "bad/repo-broken", want: []at{{blocked, "bad_config", "experiments/experimentos.yaml", 2, "thresholds.alfa", 3}}, msg: "did you mean alpha?"},

		{name: "issues capped per file", fsys: oneExp("name: x\n"+strings.Repeat("k: 1\n", 60), goodCSV), want: func() []at {
			var w []at
			for i := range 51 {
				w = append(w, at{blocked, "bad_config", yml, 2 + i, "k", 1})
			}
			return w
		}(), msg: "unknown key"},
		{name: "oversized csv", fsys: oneExp(goodYAML, goodCSV+strings.Repeat("\n", 1<<20)), want: []at{{blocked, "limit_exceeded", csvf, 0, "", 0}}},
		{name: "oversized yaml", fsys: oneExp(goodYAML+strings.Repeat("#\n", 600), goodCSV), lim: Limits{MaxFileBytes: 1000}, want: []at{{blocked, "limit_exceeded", yml, 0, "", 0}}},
		{name: "too many rows", fsys: oneExp(goodYAML, goodCSV+"control,1,1,1\ncontrol,1,1,1\n"), lim: Limits{MaxRows: 4}, want: []at{{blocked, "limit_exceeded", csvf, 5, "", 0}}},
		{name: "too many columns", fsys: oneExp(goodYAML, "variant,users,conversions,a,b\n"), lim: Limits{MaxColumns: 4}, want: []at{{blocked, "limit_exceeded", csvf, 1, "", 5}}},
		{name: "field too long", fsys: oneExp(goodYAML, "variant,users,conversions\ncontrol,"+strings.Repeat("1", 2000)+",1\n"), want: []at{{blocked, "limit_exceeded", csvf, 2, "users", 2}}},
		{name: "text too long", fsys: oneExp("name: Home\nhypothesis: "+strings.Repeat("x", 5000)+"\n", goodCSV), want: []at{{blocked, "limit_exceeded", yml, 2, "hypothesis", 1}}},
		{name: "too many guardrails", fsys: oneExp("name: Home\nguardrails:\n"+strings.Repeat("  - metric: guardrail_error\n", 3), goodCSV), lim: Limits{MaxGuardrails: 2}, want: []at{{blocked, "limit_exceeded", yml, 2, "guardrails", 1}}},
		{name: "missing users column", fsys: oneExp(goodYAML, "variant,conversions\ncontrol,1\ntreatment,2\n"), want: []at{{blocked, "missing_column", csvf, 1, "users", 0}}},
		{name: "missing primary column", fsys: oneExp("name: x\nprimary: {metric: signups}\n", goodCSV), want: []at{{blocked, "missing_column", csvf, 1, "signups", 0}}},
		{name: "missing treatment", fsys: oneExp(goodYAML, "variant,users,conversions\ncontrol,10,1\n"), want: []at{{blocked, "bad_variants", csvf, 1, "variant", 1}}, msg: "at least one other arm"},
		{name: "named pipe", fsys: fstest.MapFS{"exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": {Mode: os.ModeNamedPipe}}, want: []at{{blocked, "path_escape", csvf, 0, "", 0}}},
		{name: "symlinked yaml", fsys: fstest.MapFS{"exp/experiment.yaml": {Mode: os.ModeSymlink, Data: []byte("../../etc/hostname")}, "exp/results.csv": mfile(goodCSV)}, want: []at{{blocked, "path_escape", yml, 0, "", 0}}},
		{name: "data through a symlinked folder", fsys: fstest.MapFS{
			"exp/experiment.yaml": mfile(goodYAML + "data: ../link/results.csv\n"),
			"link":                {Mode: os.ModeSymlink, Data: []byte("real")},
			"real/results.csv":    mfile(goodCSV),
		}, want: []at{{blocked, "path_escape", yml, 4, "data", 1}}, msg: "symbolic link"},
		{name: "stray symlink outside experiments", id: "notes.md", fsys: fstest.MapFS{
			"exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": mfile(goodCSV),
			"notes.md": {Mode: os.ModeSymlink, Data: []byte("../README.md")},
		}, want: []at{{blocked, "path_escape", "experiments/notes.md", 0, "", 0}}},
		{name: "data is a folder", fsys: fstest.MapFS{"exp/experiment.yaml": mfile(goodYAML + "data: sub\n"), "exp/sub/x": mfile("")}, want: []at{{blocked, "unreadable", yml, 4, "data", 1}}},
		{name: "backslash data", fsys: oneExp(goodYAML+"data: ..\\..\\x.csv\n", ""), want: []at{{blocked, "path_escape", yml, 4, "data", 1}}},
		{name: "empty yaml", fsys: oneExp("", goodCSV), want: []at{{blocked, "bad_config", yml, 0, "name", 0}}},
		{name: "yaml is a list", fsys: oneExp("- name: x\n", goodCSV), want: []at{{blocked, "bad_config", yml, 1, "", 1}}},
		{name: "merge key", fsys: oneExp("name: x\nbase: &b {alpha: 0.1}\nthresholds:\n  <<: *b\n", goodCSV), want: []at{
			{blocked, "bad_config", yml, 2, "base", 1},
			{blocked, "bad_config", yml, 4, "thresholds.<<", 3},
		}},
		{name: "self-referencing alias", fsys: oneExp("name: x\nplan: &a [*a]\n", goodCSV), want: []at{{blocked, "limit_exceeded", yml, 2, "plan[0]", 11}}},
		{name: "key at the wrong level", fsys: oneExp("name: x\nalpha: 0.1\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "alpha", 1}}, msg: "under thresholds"},
		{name: "guardrail is not a mapping", fsys: oneExp("name: x\nguardrails: [guardrail_error]\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "guardrails[0]", 14}}},
		{name: "guardrail without metric", fsys: oneExp("name: x\nguardrails:\n  - label: Errors\n", goodCSV), want: []at{{blocked, "bad_config", yml, 3, "guardrails[0]", 5}}},
		{name: "mde 0", fsys: oneExp("name: x\nplan: {mde: 0}\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "plan.mde", 8}}},
		{name: "mde -1", fsys: oneExp("name: x\nplan: {mde: -1}\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "plan.mde", 8}}},
		{name: "min_users -1", fsys: oneExp("name: x\nthresholds: {min_users: -1}\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "thresholds.min_users", 14}}},
		{name: "negative threshold", fsys: oneExp("name: x\nguardrails: [{metric: guardrail_error, worsened_threshold: -0.1}]\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "guardrails[0].worsened_threshold", 40}}},
		{name: "huge exponent", fsys: oneExp("name: x\nthresholds: {alpha: 1e-999999}\n", goodCSV), want: []at{{blocked, "bad_config", yml, 2, "thresholds.alpha", 14}}},
		{name: "tab in yaml", fsys: oneExp("name: x\n\tstatus: running\n", goodCSV), want: []at{{blocked, "unreadable", yml, 2, "", 1}}, msg: "line 2 is indented with a tab"},
		{name: "repo srm conflict blocks", fsys: fstest.MapFS{
			"experimentos.yaml":   mfile("thresholds:\n  srm_warning_p: 0.000001\n"),
			"exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": mfile(goodCSV),
		}, want: []at{{blocked, "bad_config", "experiments/experimentos.yaml", 2, "thresholds.srm_warning_p", 3}}},
		{name: "symlinked experimentos.yaml", fsys: fstest.MapFS{
			"experimentos.yaml":   {Mode: os.ModeSymlink, Data: []byte("/etc/passwd")},
			"exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": mfile(goodCSV),
		}, want: []at{{blocked, "path_escape", "experiments/experimentos.yaml", 0, "", 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var exps []*experiment.Experiment
			if tt.dir != "" {
				exps = loadDir(t, tt.dir, tt.lim)
			} else {
				exps = loadMap(t, tt.fsys, tt.lim)
			}
			id := tt.id
			if id == "" {
				id = "exp"
			}
			e := find(t, exps, id)
			checkIssues(t, e, tt.want, tt.msg)
			if !e.Blocked() && tt.want[0].sev == blocked {
				t.Errorf("%s: not blocked", id)
			}
			if e.Name == "" || e.Path == "" {
				t.Errorf("%s: name %q, path %q: loading must fill them even when blocked", id, e.Name, e.Path)
			}
		})
	}
}

func find(t *testing.T, exps []*experiment.Experiment, id string) *experiment.Experiment {
	t.Helper()
	for _, e := range exps {
		if e.ID == id {
			return e
		}
	}
	var ids []string
	for _, e := range exps {
		ids = append(ids, e.ID)
	}
	t.Fatalf("no experiment %q among %v", id, ids)
	return nil
}

package load

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestMessagesSayWhy: each message names the likely cause and where it is
// (file:line:col), so that the user need not guess.
func TestMessagesSayWhy(t *testing.T) {
	t.Parallel()
	const gy = "name: x\n"
	tests := []struct {
		name string
		fsys fstest.MapFS
		loc  string // Issue.Location() of the first issue
		code string
		msg  string // in its message
		not  string // not in any message
	}{
		{name: "semicolon CSV", fsys: oneExp(gy, "variant;users;conversions\ncontrol;100;10\ntreatment;100;12\n"),
			loc: csvf + ":1:1", code: "unreadable", msg: `the file looks semicolon-separated (header "variant;users;conversions"); ExperimentOS reads comma-separated CSV`, not: "has no variant column"},
		{name: "semicolon CSV with a BOM and CRLF", fsys: oneExp(gy, "\ufeffVariant;Users;Conversions\r\ncontrol;100;10\r\n"),
			loc: csvf + ":1:1", code: "unreadable", msg: "looks semicolon-separated"},
		{name: "tab CSV", fsys: oneExp(gy, "variant\tusers\tconversions\ncontrol\t100\t10\ntreatment\t100\t12\n"),
			loc: csvf + ":1:1", code: "unreadable", msg: "the file looks tab-separated", not: "has no variant column"},
		{name: "comma CSV with a ; in an unrelated header", fsys: oneExp(gy, "users,conversions,notes;x\ncontrol,1,1,a\n"),
			loc: csvf + ":1 (variant)", code: "missing_column", msg: "has no variant column"},
		{name: "tab in YAML indentation", fsys: oneExp("name: x\nprimary:\n  metric: conversions\n\tdesired: increase\n", goodCSV),
			loc: yml + ":4:1", code: "unreadable", msg: "line 4 is indented with a tab (column 1); YAML indents with spaces only: replace the tab with spaces"},
		{name: "tab after spaces", fsys: oneExp("name: x\nprimary:\n  \tmetric: conversions\n", goodCSV),
			loc: yml + ":3:3", code: "unreadable", msg: "line 3 is indented with a tab (column 3)"},
		{name: "tab on line 1", fsys: oneExp("\tname: x\n", goodCSV),
			loc: yml + ":1:1", code: "unreadable", msg: "indented with a tab"},
		{name: "a syntax error without a tab keeps its message", fsys: oneExp("name: [x\n", goodCSV),
			loc: yml + ":2", code: "unreadable", msg: "is not valid YAML", not: "tab"},
		{name: "guardrail near-miss", fsys: oneExp(gy+"guardrails:\n  - metric: guardrail_eror\n", goodCSV),
			loc: yml + ":3:5 (guardrails[0].metric)", code: "bad_config", msg: `guardrail "guardrail_eror" (auto) needs the column guardrail_eror, which the CSV lacks; did you mean "guardrail_error"?`},
		{name: "guardrail far from any column", fsys: oneExp(gy+"guardrails:\n  - metric: latency\n", goodCSV),
			loc: yml + ":3:5 (guardrails[0].metric)", code: "bad_config", msg: `needs the column latency, which the CSV lacks`, not: "did you mean"},
		{name: "primary near-miss", fsys: oneExp(gy+"primary: {metric: conversion}\n", goodCSV),
			loc: csvf + ":1 (conversion)", code: "missing_column", msg: `did you mean "conversions"?`},
		{name: "users near-miss", fsys: oneExp(gy, "variant,user,conversions\ncontrol,1,1\ntreatment,1,1\n"),
			loc: csvf + ":1 (users)", code: "missing_column", msg: `has no users column; did you mean "user"?`},
		{name: "data near-miss", fsys: fstest.MapFS{"exp/experiment.yaml": mfile(gy + "data: result.csv\n"), "exp/results.csv": mfile(goodCSV)},
			loc: yml + ":2:1 (data)", code: "unreadable", msg: `data file "result.csv" does not exist; did you mean "results.csv"?`},
		{name: "data near-miss in another folder", fsys: fstest.MapFS{"exp/experiment.yaml": mfile(gy + "data: ../shared/Exp.csv\n"), "shared/exp.CSV": mfile(goodCSV)},
			loc: yml + ":2:1 (data)", code: "unreadable", msg: `did you mean "../shared/exp.CSV"?`},
		{name: "default data near-miss", fsys: fstest.MapFS{"exp/experiment.yaml": mfile(gy), "exp/Results.csv": mfile(goodCSV)},
			loc: csvf, code: "unreadable", msg: `"results.csv" does not exist; did you mean "Results.csv"?`},
		{name: "data missing, nothing near", fsys: fstest.MapFS{"exp/experiment.yaml": mfile(gy + "data: q3.csv\n"), "exp/notes.md": mfile("")},
			loc: yml + ":2:1 (data)", code: "unreadable", msg: `data file "q3.csv" does not exist`, not: "did you mean"},
		{name: "quoted alpha", fsys: oneExp(gy+"thresholds:\n  alpha: \"0.05\"\n", goodCSV),
			loc: yml + ":3:3 (thresholds.alpha)", code: "bad_config", msg: `thresholds.alpha is the text "0.05" in quotes, not a number: remove the quotes, as in alpha: 0.05`},
		{name: "single-quoted min_users", fsys: oneExp(gy+"thresholds: {min_users: '100'}\n", goodCSV),
			loc: yml + ":2:14 (thresholds.min_users)", code: "bad_config", msg: "remove the quotes"},
		{name: "quoted text stays text", fsys: oneExp(gy+"thresholds: {alpha: \"five\"}\n", goodCSV),
			loc: yml + ":2:14 (thresholds.alpha)", code: "bad_config", msg: `must be a number such as 0.05, not the text "five"`},
		{name: "variant as written", fsys: oneExp(gy, "variant,users,conversions,guardrail_error\nControl,100,1,1\nTreat Ment,100,1,1\n"),
			loc: csvf + ":3:1 (variant)", code: "bad_variants", msg: `variant "Treat Ment" is not an arm label`},
		{name: "second row as written", fsys: oneExp(gy, "variant,users,conversions,guardrail_error\ncontrol,100,1,1\ntreatment,100,1,1\nCONTROL ,100,1,1\n"),
			loc: csvf + ":4:1 (variant)", code: "bad_variants", msg: `a second row for arm "CONTROL" (the first is on line 2)`},
		{name: "exponent beyond 1e-300", fsys: oneExp(gy+"thresholds: {srm_blocked_p: 1.0e-301}\n", goodCSV),
			loc: yml + ":2:14 (thresholds.srm_blocked_p)", code: "bad_config", msg: "is out of range: a number's size must lie between 1e-300 and 1e300"},
		{name: "beyond 1e300", fsys: oneExp(gy+"split: {control: 2e300, treatment: 1}\n", goodCSV),
			loc: yml + ":2:9 (split.control)", code: "bad_config", msg: "out of range"},
		{name: "split too far apart", fsys: oneExp(gy+"split: {control: 1e300, treatment: 1e-300}\n", goodCSV),
			loc: yml + ":2:1 (split)", code: "bad_config", msg: "split weights are too far apart: arm \"treatment\" needs a share of at least 1e-100"},
		{name: "alpha rounds to 1", fsys: oneExp(gy+"thresholds: {alpha: 0.99999999999999999999999}\n", goodCSV),
			loc: yml + ":2:14 (thresholds.alpha)", code: "bad_config", msg: "too close to 1 to compute with"},
		{name: "huge exponent", fsys: oneExp(gy+"plan: {mde: 1e-999999999}\n", goodCSV),
			loc: yml + ":2:8 (plan.mde)", code: "bad_config", msg: "out of range"},
		{name: "more digits than the limit", fsys: oneExp(gy+"split: {control: 1"+strings.Repeat("0", 70)+", treatment: 1}\n", goodCSV),
			loc: yml + ":2:9 (split.control)", code: "bad_config", msg: "is longer than 64 characters; write it with fewer digits, or in exponent form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := find(t, loadMap(t, tt.fsys, Limits{}), "exp")
			if len(e.Issues) == 0 {
				t.Fatal("no issue")
			}
			is := e.Issues[0]
			if is.Location() != tt.loc || is.Code != tt.code || !strings.Contains(is.Message, tt.msg) {
				t.Errorf("first issue = %s\nwant %s: %s %s…%s…", is, tt.loc, is.Severity, tt.code, tt.msg)
			}
			for _, x := range e.Issues {
				if tt.not != "" && strings.Contains(x.Message, tt.not) {
					t.Errorf("issue %s mentions %q", x, tt.not)
				}
			}
		})
	}
}

// TestExponentForm: a threshold is the same value however it is written;
// plain and exponent forms are accepted alike and compared exactly.
func TestExponentForm(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"1.0e-60", "1.0e-61", "1e-5", "0.00001", "1E-6", "0.1e-3", "1e-300",
		"0.0000000000000000000000000000000000000000000000000000000000001"} {
		e := find(t, loadMap(t, oneExp("name: x\nthresholds: {srm_blocked_p: "+v+"}\n", goodCSV), Limits{}), "exp")
		if len(e.Issues) != 0 {
			t.Errorf("srm_blocked_p: %s: %v", v, e.Issues)
			continue
		}
		if got := e.Thresholds.SRMBlockedP.String(); got != v {
			t.Errorf("srm_blocked_p: %s read as %s", v, got)
		}
	}
	a := find(t, loadMap(t, oneExp("name: x\nthresholds: {alpha: 5e-2}\n", goodCSV), Limits{}), "exp")
	b := find(t, loadMap(t, oneExp("name: x\nthresholds: {alpha: 0.05}\n", goodCSV), Limits{}), "exp")
	if a.Thresholds.Alpha.Cmp(b.Thresholds.Alpha) != 0 || a.Thresholds.Alpha.Float64() != 0.05 {
		t.Errorf("5e-2 = %v, 0.05 = %v", a.Thresholds.Alpha, b.Thresholds.Alpha)
	}
}

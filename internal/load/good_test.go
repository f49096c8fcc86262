package load

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/experimentos/experimentos/internal/experiment"
)

// clean loads a root and fails on any issue.
func clean(t *testing.T, exps []*experiment.Experiment) {
	t.Helper()
	for _, e := range exps {
		if len(e.Issues) > 0 {
			t.Errorf("%s: unexpected issues: %v", e.ID, e.Issues)
		}
	}
}

func checkArms(t *testing.T, e *experiment.Experiment, col string, c, tr [2]int64, lines [2]int) {
	t.Helper()
	if e.Data == nil {
		t.Fatalf("%s: Data is nil", e.ID)
	}
	d := e.Data
	if len(d.Arms) != 2 || d.Control != 0 {
		t.Fatalf("%s: arms %v, control %d; want control then treatment", e.ID, d.Arms, d.Control)
	}
	ctl, trt := d.Arms[0], d.Arms[1]
	if got, want := [2]int64{ctl.Users, ctl.Moment(col).Count}, c; got != want {
		t.Errorf("%s: control users, %s = %v, want %v", e.ID, col, got, want)
	}
	if got, want := [2]int64{trt.Users, trt.Moment(col).Count}, tr; got != want {
		t.Errorf("%s: treatment users, %s = %v, want %v", e.ID, col, got, want)
	}
	if got := [2]int{ctl.Line, trt.Line}; got != lines {
		t.Errorf("%s: arm lines = %v, want %v", e.ID, got, lines)
	}
}

func TestRootGood(t *testing.T) {
	t.Parallel()
	std := func(t *testing.T, exps []*experiment.Experiment) {
		clean(t, exps)
		checkArms(t, find(t, exps, "exp"), "conversions", [2]int64{10000, 1200}, [2]int64{10050, 1320}, [2]int{2, 3})
	}
	tests := []struct {
		dir   string
		check func(t *testing.T, exps []*experiment.Experiment)
	}{
		{"good/bom", func(t *testing.T, exps []*experiment.Experiment) {
			std(t, exps)
			e := exps[0]
			if got, want := e.Data.Columns["variant"], 1; got != want {
				t.Errorf("Columns[variant] = %d, want %d", got, want)
			}
			if len(e.DataSHA256) != 64 {
				t.Errorf("DataSHA256 = %q", e.DataSHA256)
			}
		}},
		{"good/crlf", std},
		{"good/quoted-numbers", std},
		{"good/integral-decimal", std},
		{"good/trailing-blank", std},
		{"good/header-case", func(t *testing.T, exps []*experiment.Experiment) {
			std(t, exps)
			e := exps[0]
			if got, want := len(e.Guardrails), 1; got != want {
				t.Fatalf("%d guardrails, want %d", got, want)
			}
			g := e.Guardrails[0]
			if g.Name != "guardrail_error" || g.Label != "guardrail_error" || g.Desired != experiment.Decrease || g.Kind != experiment.KindProportion {
				t.Errorf("guardrail = %+v", g)
			}
			if got, want := e.Data.Columns, map[string]int{"variant": 1, "users": 2, "conversions": 3, "guardrail_error": 4, "notes": 5}; !mapsEqual(got, want) {
				t.Errorf("Columns = %v, want %v", got, want)
			}
		}},
		{"good/nested", func(t *testing.T, exps []*experiment.Experiment) {
			clean(t, exps)
			var ids []string
			for _, e := range exps {
				ids = append(ids, e.ID)
			}
			if want := []string{"growth/checkout-copy", "home-banner"}; !slices.Equal(ids, want) {
				t.Errorf("ids = %v, want %v", ids, want)
			}
			e := exps[0]
			if e.Path != "experiments/growth/checkout-copy" || e.ConfigFile != "experiments/growth/checkout-copy/experiment.yaml" || e.DataFile != "experiments/growth/checkout-copy/results.csv" {
				t.Errorf("paths = %q %q %q", e.Path, e.ConfigFile, e.DataFile)
			}
		}},
		{"good/repo-defaults", func(t *testing.T, exps []*experiment.Experiment) {
			clean(t, exps)
			e := exps[0]
			th := e.Thresholds
			if th.Alpha.String() != "0.1" || th.MinUsers != 500 || th.CIMethod != experiment.CIWald || th.SRMWarningP.String() != "0.001" {
				t.Errorf("thresholds = %+v; want alpha 0.1 (experiment), min_users 500 and wald (repo), srm_warning_p 0.001 (default)", th)
			}
			if got, want := len(e.Guardrails), 2; got != want {
				t.Fatalf("%d guardrails, want %d", got, want)
			}
			g0, g1 := e.Guardrails[0], e.Guardrails[1]
			if g0.Name != "guardrail_error" || g0.Worsened.String() != "0.002" || g0.Severe.String() != "0.01" || g0.Desired != experiment.Decrease {
				t.Errorf("guardrails[0] = %+v; want repo worsened 0.002, own severe 0.01", g0)
			}
			if g1.Label != "Cancellations" || g1.Worsened.String() != "0.0005" || g1.Severe.String() != "0.004" || g1.Desired != experiment.Increase {
				t.Errorf("guardrails[1] = %+v; want own worsened 0.0005, repo severe 0.004, desired increase", g1)
			}
		}},
		{"good/planned-header-only", func(t *testing.T, exps []*experiment.Experiment) {
			clean(t, exps)
			if e := exps[0]; e.Status != experiment.StatusPlanned || e.Data != nil || e.DataSHA256 == "" {
				t.Errorf("status %s, data %v, sha %q", e.Status, e.Data, e.DataSHA256)
			}
		}},
		{"good/planned-no-csv", func(t *testing.T, exps []*experiment.Experiment) {
			clean(t, exps)
			if e := exps[0]; e.Status != experiment.StatusPlanned || e.Data != nil {
				t.Errorf("status %s, data %v", e.Status, e.Data)
			}
		}},
		{"good/full", func(t *testing.T, exps []*experiment.Experiment) {
			clean(t, exps)
			e := find(t, exps, "exp")
			checkArms(t, e, "checkout", [2]int64{10000, 1200}, [2]int64{15000, 1900}, [2]int{2, 3})
			if e.Name != "Home banner redesign" || e.Owner != "growth-team" || e.Hypothesis == "" {
				t.Errorf("name %q owner %q hypothesis %q", e.Name, e.Owner, e.Hypothesis)
			}
			if !e.Start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || e.Days() != 14 {
				t.Errorf("start %v, days %d", e.Start, e.Days())
			}
			if e.Status != experiment.StatusConcluded || e.Deployment != experiment.DeploymentRolledOut {
				t.Errorf("status %s deployment %s", e.Status, e.Deployment)
			}
			if e.DataFile != "experiments/shared/banner.csv" {
				t.Errorf("DataFile = %q", e.DataFile)
			}
			if !maps.Equal(e.Split, map[string]float64{"control": 40, "treatment": 60}) {
				t.Errorf("split = %+v", e.Split)
			}
			if e.Plan.UsersPerArm != 20000 || e.Plan.MDE == nil || *e.Plan.MDE != 0.05 {
				t.Errorf("plan = %+v", e.Plan)
			}
			if p := e.Primary; p.Name != "checkout" || p.Label != "Checkout conversion" || p.Desired != experiment.Increase {
				t.Errorf("primary = %+v", p)
			}
			if g := e.Guardrails[0]; g.Label != "Error rate" || g.Kind != experiment.KindProportion || g.Worsened.String() != "0.001" {
				t.Errorf("guardrail = %+v", g)
			}
		}},
		{"bad/events-auto", func(t *testing.T, exps []*experiment.Experiment) {
			if g := exps[0].Guardrails[0]; g.Kind != experiment.KindEvents {
				t.Errorf("auto guardrail above users: type %s, want events", g.Kind)
			}
			if exps[0].Blocked() || exps[0].Data == nil {
				t.Errorf("events_per_user must only warn")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			tt.check(t, loadDir(t, tt.dir, Limits{}))
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	e := loadMap(t, oneExp("name: x\n", goodCSV), Limits{})[0]
	clean(t, []*experiment.Experiment{e})
	want := experiment.DefaultThresholds()
	if e.Status != experiment.StatusRunning || e.Deployment != experiment.DeploymentExperiment ||
		e.Split != nil || e.Control != "control" || e.Thresholds.Alpha.Cmp(want.Alpha) != 0 ||
		e.Primary.Name != "conversions" || e.Primary.Label != "conversions" || e.Primary.Desired != experiment.Increase ||
		e.Primary.Kind != experiment.KindProportion || e.Primary.Columns[experiment.RoleCount] != "conversions" {
		t.Errorf("defaults: %+v", e)
	}
	if len(e.Guardrails) != 1 || e.Guardrails[0].Worsened.String() != "0.001" || e.Guardrails[0].Severe.String() != "0.003" {
		t.Errorf("guardrails = %+v", e.Guardrails)
	}
}

// TestHeaderGuardrailsSkipListedColumns: without guardrails:, a
// guardrail_* column that a listed metric reads (a primary named
// guardrail_rev with its CUPED columns) is not also an automatic
// guardrail, which would have read the same moments a second time and
// replaced the primary's pre-period sums; other guardrail_* columns still
// are guardrails.
func TestHeaderGuardrailsSkipListedColumns(t *testing.T) {
	t.Parallel()
	csv := "variant,users,guardrail_rev_sum,guardrail_rev_sum_squares,guardrail_rev_pre_sum,guardrail_rev_pre_sum_squares,guardrail_rev_pre_sum_product,guardrail_error\n" +
		"control,100,50,60,40,50,45,3\ntreatment,100,55,70,42,52,48,4\n"
	e := loadMap(t, oneExp("name: x\nprimary: {metric: guardrail_rev, type: mean, cuped: true}\n", csv), Limits{})[0]
	clean(t, []*experiment.Experiment{e})
	if got := e.Data.ControlRow().Moment("guardrail_rev").PreSum.String(); got != "40" {
		t.Errorf("the primary's pre-period sum = %s, want 40", got)
	}
	var names []string
	for _, g := range e.Guardrails {
		names = append(names, g.Name)
	}
	if len(names) != 1 || names[0] != "guardrail_error" {
		t.Errorf("automatic guardrails = %v, want [guardrail_error]", names)
	}
}

// TestMetricInTwoRolesKeepsTheFirst: the second listing of a metric is
// reported and dropped, so the blocked report shows the primary as read
// for the primary (with its CUPED pre-period sums), not as the events
// guardrail listed after it.
func TestMetricInTwoRolesKeepsTheFirst(t *testing.T) {
	t.Parallel()
	csv := "variant,users,revenue_sum,revenue_sum_squares,revenue_pre_sum,revenue_pre_sum_squares,revenue_pre_sum_product\n" +
		"control,100,50,60,40,50,45\ntreatment,100,55,70,42,52,48\n"
	e := loadMap(t, oneExp("name: x\nprimary: {metric: revenue, type: mean, cuped: true}\nguardrails:\n  - {metric: revenue, type: mean}\n", csv), Limits{})[0]
	checkIssues(t, e, []at{{blocked, "bad_config", yml, 4, "guardrails[0].metric", 6}}, `metric "revenue" is already the primary metric`)
	if len(e.Guardrails) != 0 {
		t.Errorf("guardrails = %+v, want the repeated one dropped", e.Guardrails)
	}
	if e.Data == nil || e.Data.ControlRow().Moment("revenue").PreSum.String() != "40" {
		t.Errorf("the primary's moments were not kept as read for it: %+v", e.Data)
	}
}

// TestSymlinkEscape loads through os.OpenRoot, as production does: links
// to outside the root, to a folder and even inside the root are refused
// without reading their target.
func TestSymlinkEscape(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	if err := os.WriteFile(secret, []byte(goodCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Skipf("symlinks unsupported: %v", err)
		}
	}
	write("file-link/experiment.yaml", goodYAML)
	link(secret, "file-link/results.csv")
	write("inside-link/experiment.yaml", goodYAML)
	write("inside-link/real.csv", goodCSV)
	link("real.csv", "inside-link/results.csv")
	write("dir-link/experiment.yaml", goodYAML+"data: ../evil/secret.csv\n")
	link(outside, "evil")

	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	exps, err := Root(r.FS(), "experiments", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkIssues(t, find(t, exps, "file-link"), []at{{blocked, "path_escape", "experiments/file-link/results.csv", 0, "", 0}}, "symbolic link")
	checkIssues(t, find(t, exps, "inside-link"), []at{{blocked, "path_escape", "experiments/inside-link/results.csv", 0, "", 0}}, "symbolic link")
	checkIssues(t, find(t, exps, "dir-link"), []at{{blocked, "path_escape", "experiments/dir-link/experiment.yaml", 4, "data", 1}}, "symbolic link")
	checkIssues(t, find(t, exps, "evil"), []at{{blocked, "path_escape", "experiments/evil", 0, "", 0}}, "symbolic link")
	for _, e := range exps {
		if e.Data != nil {
			t.Errorf("%s: data was read through a link", e.ID)
		}
	}
}

func TestRootErrors(t *testing.T) {
	t.Parallel()
	if _, err := Root(fstest.MapFS{"x": mfile("")}, "experiments", Options{}); err != nil {
		t.Errorf("a root without experiments: %v", err)
	}
	r, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := Root(r.FS(), "experiments", Options{}); err != nil {
		t.Errorf("an empty root: %v", err)
	}
	sub, _ := fstest.MapFS{"f": mfile("")}.Sub("missing")
	if _, err := Root(sub, "experiments", Options{}); err == nil {
		t.Error("a missing root: no error")
	}
	many := fstest.MapFS{}
	for _, id := range []string{"a", "b", "c"} {
		many[id+"/experiment.yaml"] = mfile(goodYAML)
	}
	if _, err := Root(many, "experiments", Options{Limits: Limits{MaxExperiments: 2}}); err == nil {
		t.Error("3 experiments with MaxExperiments 2: no error")
	}
}

func TestLocate(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	mk := func(name string) {
		t.Helper()
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("repo/experiments/growth/checkout/experiment.yaml")
	mk("repo/experiments/home/experiment.yaml")
	mk("other/config/experimentos.yaml")
	mk("other/config/team/exp1/experiment.yaml")
	mk("loose/exp2/experiment.yaml")
	tests := []struct{ in, root, id string }{
		{"repo/experiments", "repo/experiments", ""},
		{"repo/experiments/growth/checkout", "repo/experiments", "growth/checkout"},
		{"repo/experiments/home/experiment.yaml", "repo/experiments", "home"},
		{"other/config/team/exp1", "other/config", "team/exp1"},
		{"loose/exp2", "loose", "exp2"},
	}
	for _, tt := range tests {
		root, id, err := Locate(filepath.Join(base, tt.in))
		if err != nil {
			t.Errorf("Locate(%s): %v", tt.in, err)
			continue
		}
		if want := filepath.Join(base, tt.root); root != want || id != tt.id {
			t.Errorf("Locate(%s) = %s, %q; want %s, %q", tt.in, root, id, want, tt.id)
		}
	}
	if _, _, err := Locate(filepath.Join(base, "nope")); err == nil {
		t.Error("Locate(missing): no error")
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"hypotesis", "hypothesis"}, {"alhpa", "alpha"}, {"Name", "name"}, {"own", "owner"},
		{"xyz", ""}, {"guardrails_x", "guardrails"}, {"", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, append(topKeys, thresholdKeys...)); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

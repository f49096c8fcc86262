package load

import (
	"fmt"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Segments (docs/formats.md#segments): each bad case pins the code, file,
// line, column name and column number of its first issue, and a phrase of
// its message.

const segYAML = "name: x\nsegments: [platform]\n"

func TestSegmentsGood(t *testing.T) {
	t.Parallel()
	csv := "variant,platform,country,users,conversions\n" +
		"control,android,de,100,10\ntreatment,android,de,110,12\n" +
		"control, iOS ,de,200,20\ntreatment, iOS ,de,190,25\n" +
		"control,android,fr,50,5\ntreatment,android,fr,40,6\n" +
		"control, iOS ,fr,60,7\ntreatment, iOS ,fr,70,9\n"
	e := loadMap(t, oneExp("name: x\nsegments: [platform, country]\n", csv), Limits{})[0]
	clean(t, []*experiment.Experiment{e})
	d := e.Data
	if d == nil || len(d.Rows) != 8 || len(d.Arms) != 2 {
		t.Fatalf("data = %+v", d)
	}
	if got := strings.Join(d.Rows[2].Cell, "|"); got != "iOS|de" {
		t.Errorf("cell = %q, want the trimmed values as written", got)
	}
	if c, tr := d.Arms[0], d.Arms[1]; c.Users != 410 || tr.Users != 410 || c.Moment("conversions").Count != 42 || tr.Moment("conversions").Count != 52 || c.Line != 2 {
		t.Errorf("totals = %+v / %+v", c, tr)
	}
}

func TestSegmentsBad(t *testing.T) {
	t.Parallel()
	many := "variant,platform,users,conversions\n"
	for i := range 51 {
		many += fmt.Sprintf("control,p%d,100,1\ntreatment,p%d,100,2\n", i, i)
	}
	long := strings.Repeat("x", 101)
	tests := []struct {
		name      string
		yaml, csv string
		want      at
		msg       string
	}{
		{"a cell missing an arm", segYAML, "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment,ios,100,2\ncontrol,android,100,1\n",
			at{blocked, "bad_variants", csvf, 4, "variant", 1}, `cell platform="android" has no row for arm "treatment"`},
		{"a cell missing the control", segYAML, "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment,ios,100,2\ntreatment,web,100,1\n",
			at{blocked, "bad_variants", csvf, 4, "variant", 1}, `cell platform="web" has no row for arm "control"`},
		{"a duplicated cell", segYAML, "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment,ios,100,2\nControl,ios,100,1\n",
			at{blocked, "bad_variants", csvf, 4, "variant", 1}, `a second row for arm "Control" in cell platform="ios" (the first is on line 2)`},
		{"a duplicated cell of two columns", "name: x\nsegments: [platform, country]\n", "variant,platform,country,users,conversions\ncontrol,ios,de,100,1\ntreatment,ios,de,100,2\ntreatment,ios,de,100,2\n",
			at{blocked, "bad_variants", csvf, 4, "variant", 1}, `cell platform="ios", country="de"`},
		{"51 values in a segment column", segYAML, many,
			at{blocked, "limit_exceeded", csvf, 102, "platform", 2}, `segment column "platform" has 51 values, more than 50`},
		{"a segment value over 100 characters", segYAML, "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment," + long + ",100,2\n",
			at{blocked, "bad_value", csvf, 3, "platform", 2}, "101 characters long, more than 100"},
		{"a segment column the CSV lacks", "name: x\nsegments: [platfrom]\n", "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment,ios,100,2\n",
			at{blocked, "missing_column", csvf, 1, "platfrom", 0}, `did you mean "platform"`},
		{"four segment columns", "name: x\nsegments: [a, b, c, d]\n", "variant,users,conversions\ncontrol,100,1\ntreatment,100,2\n",
			at{blocked, "limit_exceeded", yml, 2, "segments", 1}, "4 segment columns, more than 3"},
		{"a segment column listed twice", "name: x\nsegments: [platform, platform]\n", "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment,ios,100,2\n",
			at{blocked, "bad_config", yml, 2, "segments[1]", 22}, "listed twice"},
		{"segments not a list", "name: x\nsegments: platform\n", "variant,platform,users,conversions\ncontrol,ios,100,1\ntreatment,ios,100,2\n",
			at{blocked, "bad_config", yml, 2, "segments", 1}, "must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := loadMap(t, oneExp(tt.yaml, tt.csv), Limits{})[0]
			is := firstIssue(t, e, tt.want)
			if !strings.Contains(is.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", is.Message, tt.msg)
			}
			if tt.want.file == csvf && e.Data != nil {
				t.Errorf("a blocked CSV still has Data")
			}
		})
	}
}

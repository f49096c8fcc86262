package format

import (
	"math"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

func TestNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		got, want string
	}{
		{Value(experiment.KindProportion, 0.12), "12.00%"},
		{Value(experiment.KindProportion, 0.00003), "0.003%"},
		{Value(experiment.KindProportion, 0), "0.00%"},
		{Diff(experiment.KindProportion, 0.0113), "+1.13 pp"},
		{Diff(experiment.KindProportion, 0.009999999), "+1.00 pp"},
		{Diff(experiment.KindProportion, -0.0000312), "-0.00312 pp"},
		{Diff(experiment.KindProportion, 0), "+0.00 pp"},
		{Value(experiment.KindEvents, 0.4567), "0.4567/user"},
		{Diff(experiment.KindEvents, -0.01234), "-0.01234/user"},
		{Value(experiment.KindMean, 25.1234), "25.12"},
		{Value(experiment.KindMean, 123456.7), "123457"},
		{Diff(experiment.KindRatio, 1.5), "+1.5"},
		{Diff(experiment.KindMean, -0.000123456), "-0.0001235"},
		{Rel(0.0406), "+4.06%"},
		{Rel(-0.5), "-50.00%"},
		{P(0.0142), "0.0142"},
		{P(2.1e-06), "2.1e-06"},
		{P(math.NaN()), "n/a"},
		{P(0), "<1e-300"},
		{PIs(0), "p < 1e-300"},
		{PIs(0.0142), "p = 0.0142"},
		{Share(1.0 / 3), "33.3%"},
		{Count(1234567), "1,234,567"},
		{Count(-1000), "-1,000"},
		{Margin(experiment.KindProportion, experiment.Margin{Value: experiment.MustDecimal("0.001")}, 0.001), "0.10 pp"},
		{Margin(experiment.KindMean, experiment.Margin{Value: experiment.MustDecimal("0.05"), Relative: true}, 21), "5% of control (21)"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

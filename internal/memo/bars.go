package memo

import (
	"fmt"
	"math"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
)

// barWidth is the number of cells of a text CI bar; with its name and
// verdict a line stays within 60 characters.
const barWidth = 33

// barName is the width of a bar's arm name.
const barName = 12

// ciBars renders each compared arm's primary absolute lift CI against zero
// as monospace lines for a code block, all on one scale so that arms
// compare at a glance:
//
//	b             |       ├─────●──────┤       excludes 0
//
// ├ ┤ are the CI bounds, ● the estimate, | (┼ inside the interval) is
// zero. Arm names are reduced to [a-z0-9._-], so nothing in them can close
// the code fence.
func ciBars(rep *analysis.Report) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", barName+1) + "├ CI low  ● estimate  ┤ CI high  | zero\n")
	var vals []float64
	for _, c := range rep.Comparisons {
		p := &c.Primary
		for _, v := range []analysis.Value{p.AbsLift, p.CILow, p.CIHigh} {
			if ok(v) {
				vals = append(vals, v.V)
			}
		}
	}
	a, z := barSpan(vals)
	for _, c := range rep.Comparisons {
		p := &c.Primary
		name := fmt.Sprintf("%-*s", barName, barSafe(c.Arm))
		if !ok(p.AbsLift) {
			fmt.Fprintf(&b, "%s n/a\n", name)
			continue
		}
		var lo, hi *float64
		if ok(p.CILow) && ok(p.CIHigh) {
			lo, hi = &p.CILow.V, &p.CIHigh.V
		}
		bar, verdict := ciBar(p.AbsLift.V, lo, hi, a, z)
		fmt.Fprintf(&b, "%s %s  %s\n", name, bar, verdict)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// barSafe keeps a name's [a-z0-9._-] characters, at most barName of them.
func barSafe(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
		if b.Len() == barName {
			break
		}
	}
	return b.String()
}

// barSpan is the padded range covering zero and the values.
func barSpan(vals []float64) (a, z float64) {
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			a, z = math.Min(a, v), math.Max(z, v)
		}
	}
	if z-a == 0 {
		a, z = -1, 1
	}
	pad := (z - a) * 0.08
	return a - pad, z + pad
}

// ciBar draws one bar on the scale [a, z]; lo and hi may be nil (unknown),
// then only the estimate and zero are drawn.
func ciBar(x float64, lo, hi *float64, a, z float64) (bar, verdict string) {
	pos := func(v float64) int {
		i := int(math.Round((v - a) / (z - a) * float64(barWidth-1)))
		return min(max(i, 0), barWidth-1)
	}
	cells := []rune(strings.Repeat(" ", barWidth))
	zero := pos(0)
	verdict = "CI n/a"
	if lo != nil && hi != nil {
		l, h := pos(*lo), pos(*hi)
		for i := l; i <= h; i++ {
			cells[i] = '─'
		}
		cells[l], cells[h] = '├', '┤'
		if *lo <= 0 && 0 <= *hi {
			verdict = "includes 0"
		} else {
			verdict = "excludes 0"
		}
		if zero > l && zero < h {
			cells[zero] = '┼'
		} else if zero != l && zero != h {
			cells[zero] = '|'
		}
	} else {
		cells[zero] = '|'
	}
	cells[pos(x)] = '●'
	return string(cells), verdict
}

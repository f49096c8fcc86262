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

// ciBars renders the primary's absolute and relative lift CIs against zero
// as monospace lines for a code block:
//
//	abs lift  |       ├─────●──────┤       excludes 0
//
// Each line has its own scale, spanning the interval and zero; ├ ┤ are the
// CI bounds, ● the estimate, | (┼ inside the interval) is zero.
func ciBars(p *analysis.Primary) string {
	var b strings.Builder
	b.WriteString("          ├ CI low   ● estimate   ┤ CI high   | zero\n")
	line := func(name string, x, lo, hi *float64) {
		if finite(x) == nil {
			fmt.Fprintf(&b, "%-9s %s\n", name, "n/a")
			return
		}
		bar, verdict := ciBar(*x, finite(lo), finite(hi))
		fmt.Fprintf(&b, "%-9s %s  %s\n", name, bar, verdict)
	}
	abs := p.AbsLift
	line("abs lift", &abs, p.CILow, p.CIHigh)
	line("rel lift", p.RelLift, p.RelCILow, p.RelCIHigh)
	return strings.TrimSuffix(b.String(), "\n")
}

// ciBar draws one bar; lo and hi may be nil (unknown), then only the
// estimate and zero are drawn.
func ciBar(x float64, lo, hi *float64) (bar, verdict string) {
	a, z := math.Min(0, x), math.Max(0, x)
	if lo != nil && hi != nil {
		a, z = math.Min(a, *lo), math.Max(z, *hi)
	}
	if z-a == 0 {
		a, z = -1, 1
	}
	pad := (z - a) * 0.08
	a, z = a-pad, z+pad
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

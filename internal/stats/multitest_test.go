package stats

import (
	"fmt"
	"math"
	"testing"
)

type bhVector struct {
	P []float64 `json:"p"`
	Q []float64 `json:"q"`
}

func checkBH(c checker, v *bhVector) {
	c.t.Helper()
	q := BenjaminiHochberg(v.P)
	if len(q) != len(v.Q) {
		c.t.Fatalf("%s: %d q-values for %d p-values, want %d", c.id, len(q), len(v.P), len(v.Q))
	}
	for i := range q {
		methodFloat(c, fmt.Sprintf("q[%d] (p %v)", i, v.P[i]), q[i], &v.Q[i])
	}
}

// TestBenjaminiHochberg checks the step-up on small hand-worked families
// (q_(i) = min_{j>=i} p_(j)·m/j, capped at 1, original order) and that the
// input is not modified.
func TestBenjaminiHochberg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p, want []float64
	}{
		{nil, []float64{}},
		{[]float64{0.04}, []float64{0.04}},
		// sorted 0.01, 0.02, 0.03, 0.5: 0.04, 0.04, 0.04, 0.5
		{[]float64{0.5, 0.03, 0.01, 0.02}, []float64{0.5, 0.04, 0.04, 0.04}},
		// sorted 0.6, 0.9: min(0.6·2/1, 0.9·2/2) = 0.9 for both
		{[]float64{0.9, 0.6}, []float64{0.9, 0.9}},
		{[]float64{0.8, 0.8, 0.8}, []float64{0.8, 0.8, 0.8}},
		{[]float64{1, 0, 1}, []float64{1, 0, 1}},
		{[]float64{0.6, 0.7}, []float64{0.7, 0.7}},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.p...)
		got := BenjaminiHochberg(tt.p)
		if got == nil || len(got) != len(tt.want) {
			t.Errorf("BenjaminiHochberg(%v) = %v, want %v", tt.p, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-15 {
				t.Errorf("BenjaminiHochberg(%v) = %v, want %v", tt.p, got, tt.want)
				break
			}
			if tt.p[i] != in[i] {
				t.Errorf("BenjaminiHochberg modified its input: %v, was %v", tt.p, in)
				break
			}
		}
	}
}

func TestBenjaminiHochbergPanics(t *testing.T) {
	t.Parallel()
	for _, p := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BenjaminiHochberg with p = %v: no panic", p)
				}
			}()
			BenjaminiHochberg([]float64{0.1, p})
		}()
	}
}

func BenchmarkBenjaminiHochberg100(b *testing.B) {
	p := make([]float64, 100)
	for i := range p {
		p[i] = math.Mod(float64(i)*0.618034, 1)
	}
	for b.Loop() {
		sink = BenjaminiHochberg(p)[0]
	}
}

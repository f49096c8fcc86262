#!/usr/bin/env python3
"""Reference vectors for internal/stats.

Run with the system Python, where scipy 1.10.1 and statsmodels 0.13.5 are
installed:

    /usr/bin/python3 testdata/stats/generate.py

It writes testdata/stats/vectors.json next to itself. The output is
deterministic (fixed seed, sorted keys). Every value comes from the reference
named in SPEC.md section 5:

  z, z_p        statsmodels.stats.proportion.proportions_ztest([xt, xc], [nt, nc])
  fisher_p      scipy.stats.fisher_exact([[xt, nt-xt], [xc, nc-xc]]).pvalue
  use_fisher    Cochran's rule: any expected cell R_i*C_j/N < 5 (exact integers)
  newcombe_*    statsmodels confint_proportions_2indep(..., compare='diff', method='newcomb')
  wald_*        statsmodels confint_proportions_2indep(..., compare='diff', method='wald')
  rel, rel_*    pt/pc - 1 and its delta-method CI (SPEC formula, scipy norm.isf)
  binom p       scipy.stats.binomtest(k, n, p).pvalue
  poisson p     scipy.stats.binomtest(xt, xt+xc, nt/(nt+nc)).pvalue
  power         SPEC closed form with scipy.stats.norm.ppf; statsmodels
                NormalIndPower().solve_power as a loose cross-check (sm_nc)
  srm           scipy.stats.chisquare([a, b], f_exp=shares*(a+b))

Undefined references (nan / inf, or a zero-width Wald interval) are written
as null, with the quantity named in the case's "undefined" list and ok=false.
"""

import json
import math
import os
import warnings

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (confint_proportions_2indep,
                                          proportions_ztest)

warnings.simplefilter("ignore")

SEED = 20240611
ALPHAS = [0.05, 0.01, 0.1, 0.001]


def num(v):
    """A float for JSON, or None when the reference is undefined."""
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return None
    return v


def table_block(xt, nt, xc, nc, alpha):
    xt, nt, xc, nc = int(xt), int(nt), int(xc), int(nc)
    assert nt > 0 and nc > 0 and 0 <= xt <= nt and 0 <= xc <= nc
    b = {"xt": xt, "nt": nt, "xc": xc, "nc": nc, "alpha": alpha}
    undefined = []

    z, p = proportions_ztest([xt, xc], [nt, nc])
    b["z"], b["z_p"] = num(z), num(p)
    b["z_ok"] = b["z"] is not None and b["z_p"] is not None
    if not b["z_ok"]:
        b["z"] = b["z_p"] = None
        undefined.append("z: pooled variance is 0")

    b["fisher_p"] = num(stats.fisher_exact([[xt, nt - xt], [xc, nc - xc]]).pvalue)

    n = nt + nc
    x = xt + xc
    b["use_fisher"] = min(nt, nc) * min(x, n - x) < 5 * n

    lo, hi = confint_proportions_2indep(xt, nt, xc, nc, compare="diff",
                                        method="newcomb", alpha=alpha)
    b["newcombe_lo"], b["newcombe_hi"] = num(lo), num(hi)

    lo, hi = confint_proportions_2indep(xt, nt, xc, nc, compare="diff",
                                        method="wald", alpha=alpha)
    if float(hi) - float(lo) == 0:
        b["wald_lo"] = b["wald_hi"] = None
        b["wald_ok"] = False
        undefined.append("wald: zero-width interval (variance 0)")
    else:
        b["wald_lo"], b["wald_hi"], b["wald_ok"] = num(lo), num(hi), True

    pt, pc = xt / nt, xc / nc
    zc = stats.norm.isf(alpha / 2)
    if pc == 0:
        b["rel"], b["rel_ok"] = None, False
        undefined.append("rel: control rate is 0")
    else:
        b["rel"], b["rel_ok"] = pt / pc - 1, True
    var_t = pt * (1 - pt) / nt
    var_c = pc * (1 - pc) / nc
    if pc == 0:
        b["rel_lo"] = b["rel_hi"] = None
        b["rel_ci_ok"] = False
    else:
        var = var_t / pc**2 + pt**2 * var_c / pc**4
        if var == 0:
            b["rel_lo"] = b["rel_hi"] = None
            b["rel_ci_ok"] = False
            undefined.append("rel_ci: variance is 0")
        else:
            se = math.sqrt(var)
            b["rel_lo"], b["rel_hi"], b["rel_ci_ok"] = b["rel"] - zc * se, b["rel"] + zc * se, True
    return b, undefined


def poisson_block(xt, nt, xc, nc):
    xt, nt, xc, nc = int(xt), int(nt), int(xc), int(nc)
    b = {"xt": xt, "nt": nt, "xc": xc, "nc": nc}
    if xt + xc == 0:
        b["p"], b["ok"] = None, False
        return b, ["poisson: no events in either arm"]
    b["p"] = num(stats.binomtest(xt, xt + xc, nt / (nt + nc)).pvalue)
    b["ok"] = True
    return b, []


def binom_block(k, n, p):
    k, n = int(k), int(n)
    return {"k": k, "n": n, "p": p, "pvalue": num(stats.binomtest(k, n, p).pvalue)}


def power_block(pc, p1, alpha, wc, wt):
    b = {"pc": pc, "p1": p1, "alpha": alpha, "wc": wc, "wt": wt}
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(pc))
    if h == 0:
        b.update(nc=None, nt=None, ok=False, sm_nc=None)
        return b, ["power: effect size h is 0"]
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(0.8)
    n_c = z**2 * (1 + wc / wt) / h**2
    b.update(nc=n_c, nt=n_c * wt / wc, ok=True)
    try:
        sm = NormalIndPower().solve_power(effect_size=abs(h), nobs1=None,
                                          alpha=alpha, power=0.8,
                                          ratio=wt / wc, alternative="two-sided")
        sm = float(np.asarray(sm).item())
        achieved = NormalIndPower().power(effect_size=abs(h), nobs1=sm,
                                          alpha=alpha, ratio=wt / wc,
                                          alternative="two-sided")
        # The solver returns its starting point when it fails (n < 2, or
        # huge n): keep only converged answers.
        b["sm_nc"] = sm if abs(achieved - 0.8) < 1e-6 else None
    except Exception:  # solver failure: no cross-check for this case
        b["sm_nc"] = None
    return b, []


def srm_block(a, b_, shares):
    a, b_ = int(a), int(b_)
    f_exp = np.array(shares, dtype=float) * (a + b_)
    r = stats.chisquare([a, b_], f_exp=f_exp)
    return {"observed": [a, b_], "shares": list(shares),
            "chi2": num(r.statistic), "p": num(r.pvalue)}, []


class Cases:
    def __init__(self):
        self.cases = []
        self.count = {}

    def add(self, category, table=None, poisson=None, binom=None, power=None,
            srm=None, note=None):
        i = self.count.get(category, 0) + 1
        self.count[category] = i
        c = {"id": "%s-%03d" % (category, i), "category": category}
        undefined = []
        if table is not None:
            c["table"], u = table_block(*table)
            undefined += u
        if poisson is not None:
            c["poisson"], u = poisson_block(*poisson)
            undefined += u
        if binom is not None:
            c["binom"] = binom_block(*binom)
        if power is not None:
            c["power"], u = power_block(*power)
            undefined += u
        if srm is not None:
            c["srm"], u = srm_block(*srm)
            undefined += u
        if undefined:
            c["undefined"] = undefined
        if note:
            c["note"] = note
        self.cases.append(c)


def full_case(cs, cat, xt, nt, xc, nc, alpha=0.05, wc=0.5, wt=0.5, note=None):
    """A 2x2 case plus the derived Poisson, binomial, power and SRM checks."""
    pc, pt = xc / nc, xt / nt
    cs.add(cat, table=(xt, nt, xc, nc, alpha), poisson=(xt, nt, xc, nc),
           binom=(xt, xt + xc, nt / (nt + nc)) if xt + xc > 0 else None,
           power=(pc, pt, alpha, wc, wt),
           srm=(nc, nt, [wc / (wc + wt), wt / (wc + wt)]), note=note)


def main():
    rng = np.random.default_rng(SEED)
    cs = Cases()

    # typical: moderate samples and rates, equal split.
    for i in range(45):
        nt = int(rng.integers(500, 200_000))
        nc = int(nt + rng.integers(-nt // 50, nt // 50 + 1))
        rate = float(rng.uniform(0.01, 0.5))
        lift = float(rng.uniform(-0.15, 0.15))
        xc = int(rng.binomial(nc, rate))
        xt = int(rng.binomial(nt, min(1.0, rate * (1 + lift))))
        full_case(cs, "typical", xt, nt, xc, nc, alpha=ALPHAS[i % len(ALPHAS)])

    # small: tiny arms, including n = 1.
    for nt, nc in [(1, 1), (1, 2), (2, 1), (2, 2), (3, 5), (5, 3)]:
        for xt in range(0, nt + 1):
            for xc in range(0, nc + 1):
                full_case(cs, "small", xt, nt, xc, nc)
    for i in range(12):
        nt, nc = int(rng.integers(1, 31)), int(rng.integers(1, 31))
        full_case(cs, "small", int(rng.integers(0, nt + 1)), nt,
                  int(rng.integers(0, nc + 1)), nc, alpha=ALPHAS[i % 4])

    # zero: no conversions in one or both arms.
    for nt, nc in [(1, 1), (10, 10), (100, 120), (1000, 1000), (50_000, 49_000),
                   (10**6, 10**6), (10**8, 10**8)]:
        full_case(cs, "zero", 0, nt, 0, nc)
        full_case(cs, "zero", 0, nt, max(1, nc // 100), nc)
        full_case(cs, "zero", max(1, nt // 100), nt, 0, nc)

    # full: everyone converted in one or both arms.
    for nt, nc in [(1, 1), (10, 10), (100, 120), (1000, 1000), (50_000, 49_000),
                   (10**6, 10**6), (10**8, 10**8)]:
        full_case(cs, "full", nt, nt, nc, nc)
        full_case(cs, "full", nt, nt, nc - max(1, nc // 100), nc)
        full_case(cs, "full", nt - max(1, nt // 100), nt, nc, nc)
    full_case(cs, "full", 0, 5, 7, 7, note="one arm at 0, other at 1")
    full_case(cs, "full", 9, 9, 0, 11, note="one arm at 1, other at 0")

    # unequal: unequal splits, with the SRM and power using those weights.
    for i, (wc, wt) in enumerate([(0.9, 0.1), (0.1, 0.9), (0.7, 0.3), (0.3, 0.7),
                                  (0.8, 0.2), (0.25, 0.75), (0.6, 0.4),
                                  (0.95, 0.05)] * 3):
        total = int(rng.integers(2_000, 2_000_000))
        nc = int(rng.binomial(total, wc))
        nt = total - nc
        rate = float(rng.uniform(0.02, 0.3))
        xc = int(rng.binomial(nc, rate))
        xt = int(rng.binomial(nt, rate * (1 + float(rng.uniform(-0.1, 0.1)))))
        full_case(cs, "unequal", xt, nt, xc, nc, alpha=ALPHAS[i % 4], wc=wc, wt=wt)

    # near_threshold: z-test p as close to 0.05 as the counts allow.
    for i in range(30):
        nt = int(rng.integers(200, 500_000))
        nc = int(nt * float(rng.uniform(0.5, 1.5)))
        pc = float(rng.uniform(0.02, 0.6))
        xc = int(round(pc * nc))
        se = math.sqrt(pc * (1 - pc) * (1 / nt + 1 / nc))
        sign = 1 if i % 2 == 0 else -1
        centre = int(round((pc + sign * 1.959964 * se) * nt))
        best = None
        for xt in range(max(0, centre - 3), min(nt, centre + 3) + 1):
            _, p = proportions_ztest([xt, xc], [nt, nc])
            if best is None or abs(p - 0.05) < abs(best[1] - 0.05):
                best = (xt, p)
        full_case(cs, "near_threshold", best[0], nt, xc, nc, alpha=0.05)

    # huge: up to 1e8 users per arm, including exact ties (nt == nc).
    for i in range(24):
        nt = int(rng.choice([10**7, 5 * 10**7, 10**8, 99_999_989, 73_000_001]))
        nc = nt if i % 3 == 0 else int(nt * float(rng.uniform(0.9, 1.0)))
        rate = float(rng.choice([0.001, 0.01, 0.05, 0.2, 0.5]))
        xc = int(rng.binomial(nc, rate))
        sd = math.sqrt(rate * (1 - rate) * (1 / nt + 1 / nc))
        zshift = float(rng.choice([0.0, 0.5, 1.96, 2.5, 4.0]))
        xt = int(round((xc / nc + (zshift if i % 2 else -zshift) * sd) * nt))
        full_case(cs, "huge", xt, nt, xc, nc, alpha=ALPHAS[i % 4])
    full_case(cs, "huge", 5_000_000, 10**8, 5_000_000, 10**8, note="identical arms")
    full_case(cs, "huge", 5_000_001, 10**8, 5_000_000, 10**8, note="next to the mode")
    full_case(cs, "huge", 50_000_000, 10**8, 50_010_000, 10**8, note="rate 0.5")
    full_case(cs, "huge", 4_900_000, 10**8, 5_100_000, 10**8, note="p underflows")

    # fisher: Cochran's rule picks Fisher (some expected cell < 5).
    i = 0
    while i < 40:
        nt = int(rng.integers(5, 5000))
        nc = int(rng.integers(5, 5000))
        rate = float(rng.uniform(0.0001, 8 / max(nt, nc)))
        xt = int(rng.binomial(nt, min(1.0, rate)))
        xc = int(rng.binomial(nc, min(1.0, rate)))
        if i % 5 == 4:  # rare non-conversion instead of rare conversion
            xt, xc = nt - xt, nc - xc
        n, x = nt + nc, xt + xc
        if min(nt, nc) * min(x, n - x) >= 5 * n:
            continue  # Cochran would pick the z-test: draw again
        full_case(cs, "fisher", xt, nt, xc, nc, alpha=ALPHAS[i % 4])
        i += 1
    full_case(cs, "fisher", 6, 8, 1, 5, note="scipy docstring table [[6,2],[1,4]]")
    full_case(cs, "fisher", 8, 10, 1, 6, note="scipy docstring table [[8,2],[1,5]]")
    full_case(cs, "small", 3, 10, 7, 10, note="symmetric rows: exact tie")
    full_case(cs, "small", 2, 10, 8, 10, note="symmetric rows: exact tie")

    # power: plan-driven effect sizes, alphas and splits.
    for i in range(30):
        pc = float(rng.choice([0.001, 0.01, 0.03, 0.1, 0.25, 0.5, 0.9]))
        mde = float(rng.choice([0.01, 0.02, 0.05, 0.1, 0.2, -0.05, -0.1]))
        p1 = min(1.0, pc * (1 + mde))
        wc, wt = [(0.5, 0.5), (0.7, 0.3), (0.2, 0.8), (1, 1), (2, 1)][i % 5]
        cs.add("power", power=(pc, p1, ALPHAS[i % 4], wc, wt))
    cs.add("power", power=(0.1, 0.1, 0.05, 0.5, 0.5), note="h = 0")
    cs.add("power", power=(0.0, 0.01, 0.05, 0.5, 0.5), note="control rate 0")
    cs.add("power", power=(0.99, 1.0, 0.05, 0.5, 0.5), note="treatment rate 1")

    # poisson: event counts per user (may exceed users), and bare binomtests.
    for i in range(30):
        nt = int(rng.integers(1, 200_000))
        nc = int(rng.integers(1, 200_000))
        rate = float(rng.choice([0.0005, 0.01, 0.3, 1.5, 4.0]))
        xt = int(rng.poisson(rate * nt * float(rng.uniform(0.9, 1.1))))
        xc = int(rng.poisson(rate * nc))
        cs.add("poisson", poisson=(xt, nt, xc, nc),
               binom=(xt, xt + xc, nt / (nt + nc)) if xt + xc > 0 else None)
    cs.add("poisson", poisson=(0, 100, 0, 100), note="no events")
    cs.add("poisson", poisson=(0, 100, 3, 100))
    cs.add("poisson", poisson=(250_000_000, 10**8, 250_020_000, 10**8), note="huge counts")
    cs.add("poisson", poisson=(5, 10, 5, 10), note="k == p*n")
    for k, n, p in [(3, 10, 0.5), (7, 10, 0.5), (0, 10, 0.5), (10, 10, 0.5),
                    (2, 20, 0.3), (12, 20, 0.3), (1, 1, 0.5), (0, 1, 0.9),
                    (5, 1000, 0.001), (0, 1000, 0.001), (480, 1000, 0.5),
                    (123, 1000, 0.1), (95, 1000, 0.1), (6, 7, 0.2)]:
        cs.add("poisson", binom=(k, n, p))

    # srm: users against the expected split.
    for i in range(25):
        total = int(rng.integers(100, 10**8))
        s = float(rng.choice([0.5, 0.5, 0.3, 0.1, 0.8]))
        drift = float(rng.choice([0, 0.0005, 0.001, 0.005, 0.02]))
        a = int(rng.binomial(total, min(1.0, s + drift)))
        cs.add("srm", srm=(a, total - a, [s, 1 - s]))
    cs.add("srm", srm=(1000, 1000, [0.5, 0.5]), note="perfect split")
    cs.add("srm", srm=(1, 0, [0.5, 0.5]), note="one user")
    cs.add("srm", srm=(10**8, 10**8 - 30_000, [0.5, 0.5]))
    cs.add("srm", srm=(500_000, 520_000, [0.5, 0.5]), note="p underflows")

    out = {
        "generator": "testdata/stats/generate.py",
        "versions": {"scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__,
                     "numpy": np.__version__},
        "seed": SEED,
        "count": len(cs.cases),
        "cases": cs.cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")
    print("wrote %d cases to %s: %s" % (len(cs.cases), path,
                                        json.dumps(cs.count, sort_keys=True)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference vectors for CUPED and sequential results as internal/analysis
wires them: one comparison of an arm with the control, from the aggregated
per-arm moments a results.csv holds, to the Result the memo and the JSON
print (docs/statistics.md#cuped, docs/statistics.md#sequential-tests,
docs/statistics.md#power).

Run with the system Python (scipy 1.10.1, statsmodels 0.13.5, numpy):

    /usr/bin/python3 testdata/stats/generate_analysis.py

It writes testdata/stats/vectors_analysis.json next to itself; the output is
deterministic (fixed seed, sorted keys). internal/analysis's
TestAnalysisVectors reads it and fails when it shrinks or loses a category.
Categories and their references:

  cuped_mean, cuped_proportion
        simulated per-user data (numpy) aggregated to the CSV's sums; the
        expected result from the CUPED formulas of SPEC 5.5 as written out in
        generate_methods.py (theta pooled over the pair, Welch on the adjusted
        means and variances with scipy.stats.ttest_ind_from_stats and
        scipy.stats.t.ppf, gbstats' relative CUPED variance). For every case
        with at least 20,000 users per arm, independently, the arm
        coefficient of statsmodels OLS of Y on [1, arm, X] over the same
        per-user data must agree with the CUPED estimate within 1e-3
        relative (asserted here, and stored as ols_arm for the Go test).
  cuped_sequential
        the same adjusted (and unadjusted) estimates passed through the
        confidence sequence below.
  sequential_proportion, sequential_events, sequential_events_welch,
  sequential_mean, sequential_ratio
        SPEC 5.6 written out literally: rho^2 = (-2 ln a + ln(-2 ln a + 1))/N*,
        half-width = se sqrt(n) sqrt(2(n rho^2 + 1) ln(sqrt(n rho^2 + 1)/a)/(n^2 rho^2)),
        p = min(1, sqrt(n rho^2 + 1) exp(-rho^2 n (d/se)^2/(2(n rho^2 + 1)))),
        relative = rel +- the same factor times se_rel; se and se_rel from
        SPEC 5.1-5.4: the unpooled proportion se and the delta-method
        relative se, sqrt(x_t/n_t^2 + x_c/n_c^2) for Poisson events, Welch's
        se for means, events with squares and ratios (delta-method s_r^2).
  power_cuped
        users per arm for 80% power at plan.mde with the adjusted per-user
        variances: (z_{1-a/2} + z_0.8)^2 (v_c + v_t w_c/w_t)/delta^2,
        scipy.stats.norm quantiles.
  power_sequential
        the n_c at which delta = (c(n) + z_0.8) se(n) (SPEC 5.7) by
        scipy.optimize.brentq, for mean (observed variances) and proportion
        metrics (p_c(1 - p_c) and p_1(1 - p_1) at the planned rate), and the
        minimum detectable effect at the current sample (c(n) + z_0.8) se(n).

A null expected value means the Go result must be null too.
"""

import math
import os
import sys
import warnings

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_methods as gm  # noqa: E402

warnings.simplefilter("ignore")

SEED = 20261202


def dec(v):
    """A float as the CSV writes it: shortest round-trip repr."""
    r = repr(float(v))
    return "0" if r in ("0.0", "-0.0") else r


rho2_of = gm.rho2_of


def ols_arm(yt, xt, yc, xc, exp, i):
    """The arm coefficient of an OLS fit of Y on the arm and X over the
    per-user arrays: the independent check of CUPED's adjusted estimate,
    which must agree within 1e-3 relative on large samples."""
    y = np.concatenate([yt, yc])
    x = np.concatenate([xt, xc])
    a = np.concatenate([np.ones(len(yt)), np.zeros(len(yc))])
    fit = sm.OLS(y, sm.add_constant(np.column_stack([a, x]))).fit()
    ols = float(fit.params[1])
    rel = abs(exp["adjusted"]["abs_lift"] - ols) / abs(ols)
    assert rel < 1e-3, (i, rel)
    return ols


def seq_factor(n, tuning, alpha):
    rho2 = rho2_of(tuning, alpha)
    nf = float(n)
    return math.sqrt(nf) * math.sqrt(
        2 * (nf * rho2 + 1) * math.log(math.sqrt(nf * rho2 + 1) / alpha) / (nf * nf * rho2))


def seq_p(d, se, n, tuning, alpha):
    rho2 = rho2_of(tuning, alpha)
    nf = float(n)
    return min(1.0, math.sqrt(nf * rho2 + 1) * math.exp(-rho2 * nf * (d / se) ** 2 / (2 * (nf * rho2 + 1))))


def rel_ci(lo, hi):
    """The relative interval, null below -100% (docs/statistics.md#relative-lift)."""
    if lo < -1:
        return None, None
    return lo, hi


def result(abs_lift, lo, hi, p, rel, rlo, rhi, df=None):
    return {"abs_lift": abs_lift, "ci_low": lo, "ci_high": hi, "p_value": p,
            "rel_lift": rel, "rel_ci_low": rlo, "rel_ci_high": rhi, "df": df}


def sequentialize(d, se, rel, rel_se, n, tuning, alpha):
    c = seq_factor(n, tuning, alpha)
    rlo = rhi = None
    if rel_se is not None:
        rlo, rhi = rel_ci(rel - c * rel_se, rel + c * rel_se)
    return result(d, d - c * se, d + c * se, seq_p(d, se, n, tuning, alpha), rel, rlo, rhi)


# ------------------------------------------------------------------ CUPED


def cuped_arm(y, x, proportion):
    m = gm.moments_of(y, x)
    a = {"users": m["n"], "pre_sum": dec(m["sum_x"]), "pre_sum_squares": dec(m["sum_xx"]),
         "pre_sum_product": dec(m["sum_xy"])}
    if proportion:
        # 0/1 values: the sums are integers, written as such.
        a["count"] = int(round(m["sum_y"]))
        for k in ("pre_sum", "pre_sum_squares", "pre_sum_product"):
            a[k] = str(int(round(float(a[k]))))
    else:
        a["sum"], a["sum_squares"] = dec(m["sum_y"]), dec(m["sum_yy"])
    return a, m


def moments_back(a, proportion):
    """The moments exactly as the Go side parses them from the strings."""
    y = float(a["count"]) if proportion else float(a["sum"])
    yy = float(a["count"]) if proportion else float(a["sum_squares"])
    return {"n": a["users"], "sum_y": y, "sum_yy": yy, "sum_x": float(a["pre_sum"]),
            "sum_xx": float(a["pre_sum_squares"]), "sum_xy": float(a["pre_sum_product"])}


def cuped_expect(at, ac, proportion, alpha, seq=None):
    b = gm.cuped_block(moments_back(at, proportion), moments_back(ac, proportion), proportion, alpha)
    out = {"theta": b["theta"], "variance_reduction": b["variance_reduction"],
           "var_c": b["adj_c"]["var"], "var_t": b["adj_t"]["var"]}
    for key in ("adjusted", "unadjusted"):
        e = b[key]
        if seq is not None:
            n = at["users"] + ac["users"]
            r = sequentialize(e["diff"], e["se"], e["rel"] if e["rel_ok"] else None,
                              e["rel_se"] if e["rel_ok"] else None, n, seq, alpha)
        else:
            rlo, rhi = (rel_ci(e["rel_low"], e["rel_high"]) if e["rel_ok"] else (None, None))
            r = result(e["diff"], e["low"], e["high"], e["p"], e["rel"] if e["rel_ok"] else None,
                       rlo, rhi, e["df"])
        out[key] = r
    return out


def cuped_cases(rng):
    cases = []
    # Mean metrics: revenue-like per-user data, X the pre-period revenue.
    specs = [(200, 0.5), (1000, 0.7), (5000, 0.3), (20000, 0.8), (30000, 0.9), (50000, 0.6),
             (25000, 0.95), (40000, 0.4), (800, 0.85), (12000, 0.2)]
    for i, (n, rho) in enumerate(specs):
        alpha = [0.05, 0.01, 0.1, 0.025][i % 4]
        lift = float(rng.normal(0.3, 0.4))

        def arm(m, eff):
            x = rng.gamma(2.0, 6.0, m) * (rng.random(m) < 0.6)
            y = 2 + eff + rho * x + math.sqrt(1 - rho * rho) * rng.gamma(2.0, 6.0, m)
            return y, x

        nt = n + int(rng.integers(0, n // 20 + 1))
        yt, xt = arm(nt, lift)
        yc, xc = arm(n, 0.0)
        at, _ = cuped_arm(yt, xt, False)
        ac, _ = cuped_arm(yc, xc, False)
        exp = cuped_expect(at, ac, False, alpha)
        case = {"kind": "mean", "alpha": alpha, "arms": [ac, at], "expect": exp}
        if n >= 20000:
            case["ols_arm"] = ols_arm(yt, xt, yc, xc, exp, i)
        cases.append(("cuped_mean", f"cuped_mean_{i:02d}_n{n}", case))
    # Proportion metrics: 0/1 conversion, X converted in the pre-period.
    for i, n in enumerate([300, 2000, 10000, 20000, 40000, 60000]):
        alpha = [0.05, 0.01, 0.1][i % 3]

        def arm(m, lift):
            x = (rng.random(m) < 0.3).astype(float)
            y = (rng.random(m) < np.where(x == 1, 0.4, 0.08) + lift).astype(float)
            return y, x

        nt = n + int(rng.integers(0, n // 20 + 1))
        yt, xt = arm(nt, float(rng.uniform(-0.01, 0.03)))
        yc, xc = arm(n, 0.0)
        at, _ = cuped_arm(yt, xt, True)
        ac, _ = cuped_arm(yc, xc, True)
        exp = cuped_expect(at, ac, True, alpha)
        case = {"kind": "proportion", "alpha": alpha, "arms": [ac, at], "expect": exp}
        if n >= 20000:
            case["ols_arm"] = ols_arm(yt, xt, yc, xc, exp, i)
        cases.append(("cuped_proportion", f"cuped_prop_{i:02d}_n{n}", case))
    # CUPED under thresholds.sequential.
    for i, (n, tuning) in enumerate([(1000, 5000), (5000, 5000), (20000, 40000), (3000, 100000)]):
        def arm(m, eff):
            x = rng.lognormal(2, 1, m) * (rng.random(m) < 0.4)
            y = eff + 0.9 * x + rng.lognormal(1.5, 1.0, m) * (rng.random(m) < 0.5)
            return y, x

        yt, xt = arm(n + 7, 0.8)
        yc, xc = arm(n, 0.0)
        at, _ = cuped_arm(yt, xt, False)
        ac, _ = cuped_arm(yc, xc, False)
        cases.append(("cuped_sequential", f"cuped_seq_{i:02d}_n{n}", {
            "kind": "mean", "alpha": 0.05, "sequential": True, "tuning": tuning,
            "arms": [ac, at], "expect": cuped_expect(at, ac, False, 0.05, seq=float(tuning))}))
    return cases


# ------------------------------------------------------------- sequential


def seq_proportion(xt, nt, xc, nc, alpha, tuning):
    pt, pc = xt / nt, xc / nc
    vt, vc = pt * (1 - pt) / nt, pc * (1 - pc) / nc
    se = math.sqrt(vt + vc)
    d = pt - pc
    rel = rse = None
    if pc > 0:
        rel = pt / pc - 1
        rse = math.sqrt(vt / pc ** 2 + pt ** 2 * vc / pc ** 4)
    return sequentialize(d, se, rel, rse, nt + nc, tuning, alpha)


def seq_events(xt, nt, xc, nc, alpha, tuning):
    rt, rc = xt / nt, xc / nc
    vt, vc = xt / nt ** 2, xc / nc ** 2
    se = math.sqrt(vt + vc)
    d = rt - rc
    rel = rse = None
    if rc > 0:
        rel = d / rc
        rse = math.sqrt(vt / rc ** 2 + rt ** 2 * vc / rc ** 4)
    return sequentialize(d, se, rel, rse, nt + nc, tuning, alpha)


def seq_welch(mt, vt, nt, mc, vc, nc, alpha, tuning):
    se = math.sqrt(vt / nt + vc / nc)
    d = mt - mc
    rel = rse = None
    if mc != 0:
        rel = d / abs(mc)
        rse = math.sqrt(vt / (nt * mc ** 2) + vc * mt ** 2 / (nc * mc ** 4))
    return sequentialize(d, se, rel, rse, nt + nc, tuning, alpha)


def mean_var(s, ss, n):
    return (ss - s * s / n) / (n - 1)


def sequential_cases(rng):
    cases = []
    tunings = [1000, 5000, 20000, 100000]
    for i in range(12):
        n = int(rng.integers(50, 60000))
        nt = n + int(rng.integers(0, n // 10 + 1))
        pc = float(rng.uniform(0.005, 0.5))
        pt = pc * float(rng.uniform(0.85, 1.25))
        xc, xt = int(rng.binomial(n, pc)), int(rng.binomial(nt, min(pt, 0.99)))
        if xc == 0:
            xc = 1
        alpha, tuning = [0.05, 0.01, 0.1][i % 3], tunings[i % 4]
        cases.append(("sequential_proportion", f"seq_prop_{i:02d}", {
            "kind": "proportion", "alpha": alpha, "sequential": True, "tuning": tuning,
            "arms": [{"users": n, "count": xc}, {"users": nt, "count": xt}],
            "expect": {"result": seq_proportion(xt, nt, xc, n, alpha, tuning)}}))
    # A proportion arm with zero conversions still has a positive unpooled se.
    cases.append(("sequential_proportion", "seq_prop_zero_arm", {
        "kind": "proportion", "alpha": 0.05, "sequential": True, "tuning": 5000,
        "arms": [{"users": 400, "count": 9}, {"users": 410, "count": 0}],
        "expect": {"result": seq_proportion(0, 410, 9, 400, 0.05, 5000)}}))
    for i in range(10):
        n = int(rng.integers(100, 50000))
        nt = n + int(rng.integers(0, n // 10 + 1))
        rate = float(rng.uniform(0.05, 4))
        xc, xt = int(rng.poisson(rate * n)), int(rng.poisson(rate * nt * float(rng.uniform(0.9, 1.15))))
        alpha, tuning = [0.05, 0.01, 0.1][i % 3], tunings[i % 4]
        cases.append(("sequential_events", f"seq_events_{i:02d}", {
            "kind": "events", "alpha": alpha, "sequential": True, "tuning": tuning,
            "arms": [{"users": n, "count": xc}, {"users": nt, "count": xt}],
            "expect": {"result": seq_events(xt, nt, xc, n, alpha, tuning)}}))
    for i in range(6):
        n = int(rng.integers(100, 20000))
        nt = n + int(rng.integers(0, n // 10 + 1))
        ct = rng.negative_binomial(2, 0.4, nt).astype(float)
        cc = rng.negative_binomial(2, 0.42, n).astype(float)
        alpha, tuning = 0.05, tunings[i % 4]
        xt, xc = int(ct.sum()), int(cc.sum())
        sst, ssc = math.fsum(ct * ct), math.fsum(cc * cc)
        cases.append(("sequential_events_welch", f"seq_events_welch_{i:02d}", {
            "kind": "events", "welch": True, "alpha": alpha, "sequential": True, "tuning": tuning,
            "arms": [{"users": n, "count": xc, "sum_squares": dec(ssc)}, {"users": nt, "count": xt, "sum_squares": dec(sst)}],
            "expect": {"result": seq_welch(xt / nt, mean_var(xt, sst, nt), nt, xc / n, mean_var(xc, ssc, n), n, alpha, tuning)}}))
    for i in range(12):
        n = int(rng.integers(30, 80000))
        nt = n + int(rng.integers(0, n // 10 + 1))
        scale = float(10 ** rng.uniform(-1, 3))
        yt = rng.gamma(1.5, scale, nt) * float(rng.uniform(0.95, 1.08))
        yc = rng.gamma(1.5, scale, n)
        st, sst, sc, ssc = math.fsum(yt), math.fsum(yt * yt), math.fsum(yc), math.fsum(yc * yc)
        st, sst, sc, ssc = float(dec(st)), float(dec(sst)), float(dec(sc)), float(dec(ssc))
        alpha, tuning = [0.05, 0.01, 0.1, 0.025][i % 4], tunings[i % 4]
        cases.append(("sequential_mean", f"seq_mean_{i:02d}", {
            "kind": "mean", "alpha": alpha, "sequential": True, "tuning": tuning,
            "arms": [{"users": n, "sum": dec(sc), "sum_squares": dec(ssc)}, {"users": nt, "sum": dec(st), "sum_squares": dec(sst)}],
            "expect": {"result": seq_welch(st / nt, mean_var(st, sst, nt), nt, sc / n, mean_var(sc, ssc, n), n, alpha, tuning)}}))
    for i in range(8):
        n = int(rng.integers(200, 30000))
        nt = n + int(rng.integers(0, n // 10 + 1))

        def arm(m, mult):
            orders = rng.poisson(1.2, m).astype(float)
            rev = orders * rng.gamma(3, 10, m) * mult
            return rev, orders

        xt, yt = arm(nt, float(rng.uniform(0.95, 1.08)))
        xc, yc = arm(n, 1.0)

        def sums(x, y):
            return [float(dec(v)) for v in (math.fsum(x), math.fsum(x * x), math.fsum(y), math.fsum(y * y), math.fsum(x * y))]

        def ratio_summary(m, s):
            sx, sxx, sy, syy, sxy = s
            mx, my = sx / m, sy / m
            vx, vy = mean_var(sx, sxx, m), mean_var(sy, syy, m)
            cxy = (sxy - sx * sy / m) / (m - 1)
            return sx / sy, vx / my ** 2 + vy * mx ** 2 / my ** 4 - 2 * cxy * mx / my ** 3

        stt, scc = sums(xt, yt), sums(xc, yc)
        rt, vt = ratio_summary(nt, stt)
        rc, vc = ratio_summary(n, scc)
        alpha, tuning = 0.05, tunings[i % 4]

        def arm_json(m, s):
            return {"users": m, "sum": dec(s[0]), "sum_squares": dec(s[1]), "den_sum": dec(s[2]),
                    "den_sum_squares": dec(s[3]), "sum_product": dec(s[4])}

        cases.append(("sequential_ratio", f"seq_ratio_{i:02d}", {
            "kind": "ratio", "alpha": alpha, "sequential": True, "tuning": tuning,
            "arms": [arm_json(n, scc), arm_json(nt, stt)],
            "expect": {"result": seq_welch(rt, vt, nt, rc, vc, n, alpha, tuning)}}))
    return cases


# ------------------------------------------------------------------ power


def seq_users(varc, vart, delta, alpha, tuning, wc, wt):
    z8 = stats.norm.ppf(0.8)

    def g(nc):
        nt = nc * wt / wc
        return (seq_factor(nc + nt, tuning, alpha) + z8) * math.sqrt(varc / nc + vart / nt) - abs(delta)

    hi = 1.0
    while g(hi) > 0:
        hi *= 2
    lo = hi / 2
    while g(lo) <= 0:
        lo /= 2
    return optimize.brentq(g, lo, hi, xtol=1e-300, rtol=1e-14, maxiter=500)


def power_cases(rng):
    cases = []
    z = lambda a: stats.norm.isf(a / 2) + stats.norm.ppf(0.8)  # noqa: E731
    # CUPED, fixed horizon: the adjusted variances set the requirement.
    for i in range(6):
        n = int(rng.integers(2000, 20000))

        def arm(m, eff):
            x = rng.gamma(2.0, 6.0, m)
            y = 5 + eff + 0.85 * x + rng.normal(0, 6, m)
            return y, x

        yt, xt = arm(n, 0.0)
        yc, xc = arm(n, 0.0)
        at, _ = cuped_arm(yt, xt, False)
        ac, _ = cuped_arm(yc, xc, False)
        exp = cuped_expect(at, ac, False, 0.05)
        mde = [0.01, 0.02, 0.05][i % 3]
        muc = float(ac["sum"]) / n
        delta = mde * abs(muc)
        nc = z(0.05) ** 2 * (exp["var_c"] + exp["var_t"]) / delta ** 2
        cases.append(("power_cuped", f"power_cuped_{i:02d}", {
            "kind": "mean", "alpha": 0.05, "plan_mde": mde, "arms": [ac, at],
            "expect": {"theta": exp["theta"], "required_c": nc, "required_t": nc,
                       "mde_at_current": z(0.05) * math.sqrt(exp["var_c"] / n + exp["var_t"] / n) / abs(muc)}}))
    # Sequential: mean metrics with observed variances, proportions at the planned rate.
    for i in range(6):
        n = int(rng.integers(1000, 20000))
        tuning = [5000, 20000, 60000][i % 3]
        y_t, y_c = rng.gamma(2, 5, n), rng.gamma(2, 5, n)
        s = [float(dec(v)) for v in (math.fsum(y_c), math.fsum(y_c * y_c), math.fsum(y_t), math.fsum(y_t * y_t))]
        vc, vt = mean_var(s[0], s[1], n), mean_var(s[2], s[3], n)
        muc = s[0] / n
        mde = [0.02, 0.05, 0.1][i % 3]
        nc = seq_users(vc, vt, mde * muc, 0.05, tuning, 1, 1)
        cur = (seq_factor(2 * n, tuning, 0.05) + stats.norm.ppf(0.8)) * math.sqrt(vc / n + vt / n) / muc
        cases.append(("power_sequential", f"power_seq_mean_{i:02d}", {
            "kind": "mean", "alpha": 0.05, "sequential": True, "tuning": tuning, "plan_mde": mde,
            "arms": [{"users": n, "sum": dec(s[0]), "sum_squares": dec(s[1])},
                     {"users": n, "sum": dec(s[2]), "sum_squares": dec(s[3])}],
            "expect": {"required_c": nc, "required_t": nc, "mde_at_current": cur}}))
    for i in range(6):
        n = int(rng.integers(1000, 30000))
        tuning = [5000, 20000, 60000][i % 3]
        pc = float(rng.uniform(0.03, 0.4))
        xc, xt = int(rng.binomial(n, pc)), int(rng.binomial(n, pc))
        pc, pt = xc / n, xt / n
        mde = [0.05, 0.1, 0.2][i % 3]
        p1 = pc * (1 + mde)
        nc = seq_users(pc * (1 - pc), p1 * (1 - p1), p1 - pc, 0.05, tuning, 1, 1)
        cur = (seq_factor(2 * n, tuning, 0.05) + stats.norm.ppf(0.8)) * math.sqrt(pc * (1 - pc) / n + pt * (1 - pt) / n) / pc
        cases.append(("power_sequential", f"power_seq_prop_{i:02d}", {
            "kind": "proportion", "alpha": 0.05, "sequential": True, "tuning": tuning, "plan_mde": mde,
            "arms": [{"users": n, "count": xc}, {"users": n, "count": xt}],
            "expect": {"required_c": nc, "required_t": nc, "mde_at_current": cur}}))
    return cases


def main():
    rng = np.random.default_rng(SEED)
    raw = cuped_cases(rng) + sequential_cases(rng) + power_cases(rng)
    cases = []
    for cat, name, block in raw:
        block = dict(block)
        block.update({"id": name, "category": cat})
        cases.append(block)
    path = gm.write_vectors("vectors_analysis.json", cases)
    print(f"wrote {len(cases)} cases to {path}: {gm.per_category(cases)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference vectors for the v2 methods of internal/stats: CUPED, sequential
confidence sequences and their sample size, Benjamini-Hochberg q-values and
the false-positive rate of repeated looks.

Run with the system Python (scipy 1.10.1, statsmodels 0.13.5, numpy):

    /usr/bin/python3 testdata/stats/generate_methods.py

It writes testdata/stats/vectors_methods.json next to itself. The output is
deterministic (fixed seeds, sorted keys) except in its last digits: a rerun
moved 124 numbers of 22 bh and looks cases by under 6e-15 relative, far
inside the Go tests' 1e-6 tolerance, so a rerun need not be committed. Categories and their references:

  cuped, cuped_proportion
        this file's implementation of the CUPED formulas of
        docs/statistics.md#cuped (gbstats RegressionAdjustedStatistic with
        theta=None, compute_theta, frequentist_variance_relative_cuped) from
        the aggregated moments; the Welch p-value and the unadjusted
        comparison from scipy.stats.ttest_ind_from_stats(equal_var=False),
        the critical value from scipy.stats.t.ppf.
  cuped_ols
        the same moments from simulated per-user data (numpy, >= 20,000 users
        per arm) and, independently, the arm coefficient of an ordinary least
        squares fit statsmodels.api.OLS(Y, [1, arm, X]); the two agree within
        1e-3 relative (they differ because CUPED pools theta over both arms
        while OLS uses the within-arm slope).
  sequential
        the asymptotic confidence sequence of Waudby-Smith et al. (2023,
        arXiv 2103.06476), gbstats SequentialTwoSidedTTest, written out
        literally from docs/statistics.md#sequential.
  sequential_n
        the n_c at which |delta| = (c(n) + z_0.8) se(n), by
        scipy.optimize.brentq (xtol 1e-12, rtol 1e-14), with the fixed-horizon
        closed form (z_{1-a/2} + z_0.8)^2 (varC + varT wc/wt)/delta^2 beside it.
  bh    statsmodels.stats.multitest.multipletests(p, method='fdr_bh')[1].
  looks the probability that one of K equally spaced two-sided z-tests at
        level alpha rejects under the null, two independent ways:
        scipy.stats.multivariate_normal.cdf of (S_1/sqrt 1, ..., S_K/sqrt K)
        with corr(S_i, S_j) = sqrt(i/j) over the box (-z, z)^K, Genz's
        algorithm (K <= 10, "mvn", abseps 1e-6), and the
        Armitage-McPherson-Rowe (1969) recursion with composite Simpson's rule
        on a uniform grid of step about 0.005 ("grid", K <= 20); "table" is
        the published value at alpha = 0.05 to 0.1 percentage points.

Undefined references are null with ok=false.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore")

SEED = 20240612


def num(v):
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return None
    return v


# ---------------------------------------------------------------- CUPED


def moments_of(y, x):
    """Exact-ish sums of a per-user sample (math.fsum), as the CSV holds them."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    return {
        "n": int(len(y)),
        "sum_y": math.fsum(y),
        "sum_yy": math.fsum(y * y),
        "sum_x": math.fsum(x),
        "sum_xx": math.fsum(x * x),
        "sum_xy": math.fsum(x * y),
    }


def arm_moments(m, proportion):
    n = float(m["n"])
    muy, mux = m["sum_y"] / n, m["sum_x"] / n
    if proportion:
        vy = muy * (1 - muy)
        vx = mux * (1 - mux)
        cv = m["sum_xy"] / n - m["sum_y"] * m["sum_x"] / (n * n)
    elif m["n"] > 1:
        vy = (m["sum_yy"] - m["sum_y"] * m["sum_y"] / n) / (n - 1)
        vx = (m["sum_xx"] - m["sum_x"] * m["sum_x"] / n) / (n - 1)
        cv = (m["sum_xy"] - m["sum_y"] * m["sum_x"] / n) / (n - 1)
    else:
        vy = vx = cv = 0.0
    return n, muy, mux, max(vy, 0.0), max(vx, 0.0), cv


def theta_of(t, c, proportion):
    pooled = {k: t[k] + c[k] for k in t}
    _, _, _, vy, vx, cv = arm_moments(pooled, proportion)
    if not (vx > 0 and vy > 0):
        return 0.0
    return cv / vx


def welch_block(mt, vt, nt, mc, vc, nc, alpha):
    """Welch from summaries: scipy ttest_ind_from_stats and t.ppf."""
    none = {"diff": None, "se": None, "df": None, "p": None, "low": None,
            "high": None, "ok": False}
    if nt < 2 or nc < 2:
        return none, None
    v = vt / nt + vc / nc
    if not v > 0:
        return none, None
    se = math.sqrt(v)
    a, b = (vt / nt) / v, (vc / nc) / v
    df = 1 / (a * a / (nt - 1) + b * b / (nc - 1))
    d = mt - mc
    res = stats.ttest_ind_from_stats(mt, math.sqrt(vt), nt, mc, math.sqrt(vc), nc,
                                     equal_var=False)
    crit = stats.t.ppf(1 - alpha / 2, df)
    return {"diff": d, "se": se, "df": df, "p": num(res.pvalue),
            "low": d - crit * se, "high": d + crit * se, "ok": True}, crit


def cuped_compare(at, ac, theta, alpha):
    nt, muyt, muxt, vyt, vxt, cvt = at
    nc, muyc, muxc, vyc, vxc, cvc = ac

    def adj_var(vy, vx, cv):
        v = vy + theta * theta * vx - 2 * theta * cv
        if v <= 1e-12 * (vy + theta * theta * vx):
            return 0.0
        return v

    st = {"n": int(nt), "mean": muyt - theta * muxt, "var": adj_var(vyt, vxt, cvt)}
    sc = {"n": int(nc), "mean": muyc - theta * muxc, "var": adj_var(vyc, vxc, cvc)}
    e, crit = welch_block(st["mean"], st["var"], int(nt), sc["mean"], sc["var"], int(nc), alpha)
    e.update({"rel": None, "rel_se": None, "rel_low": None, "rel_high": None, "rel_ok": False})
    if e["ok"] and muyc != 0:
        muc2 = muyc * muyc
        ratio = muyt / muyc
        relvc = vyc * ratio * ratio - 2 * theta * cvc * ratio + theta * theta * vxc
        relv = st["var"] / (nt * muc2) + max(relvc, 0.0) / (nc * muc2)
        if relv > 0 and math.isfinite(relv):
            rel = e["diff"] / abs(muyc)
            rse = math.sqrt(relv)
            e.update({"rel": rel, "rel_se": rse, "rel_low": rel - crit * rse,
                      "rel_high": rel + crit * rse, "rel_ok": True})
    return e, st, sc


def cuped_block(t, c, proportion, alpha):
    theta = theta_of(t, c, proportion)
    at, ac = arm_moments(t, proportion), arm_moments(c, proportion)
    adj, st, sc = cuped_compare(at, ac, theta, alpha)
    unadj, _, _ = cuped_compare(at, ac, 0.0, alpha)
    vr = 0.0
    if adj["ok"] and unadj["ok"]:
        vr = 1 - adj["se"] ** 2 / unadj["se"] ** 2
    return {"t": t, "c": c, "proportion": proportion, "alpha": alpha,
            "theta": theta, "variance_reduction": vr, "adjusted": adj,
            "unadjusted": unadj, "adj_t": st, "adj_c": sc}


def synth_moments(n, muy, mux, sy, sx, rho):
    """Moments of an arm with the given sample means, sds and correlation."""
    n = int(n)
    vy, vx = sy * sy, sx * sx
    cv = rho * sy * sx
    return {"n": n, "sum_y": n * muy, "sum_yy": (n - 1) * vy + n * muy * muy,
            "sum_x": n * mux, "sum_xx": (n - 1) * vx + n * mux * mux,
            "sum_xy": (n - 1) * cv + n * muy * mux}


def cuped_cases(rng):
    cases = []
    alphas = [0.05, 0.01, 0.1]
    # Simulated per-user samples of every size.
    for i, n in enumerate([2, 3, 5, 10, 30, 100, 500, 2000, 10000, 50000] * 4):
        nt = n + int(rng.integers(0, max(1, n // 3) + 1))
        rho = float(rng.uniform(-0.95, 0.95))
        scale = float(10 ** rng.uniform(-3, 3))
        base = float(rng.uniform(-2, 5)) * scale

        def arm(m, lift):
            x = rng.normal(base, scale, m)
            y = base + lift + rho * (x - base) + math.sqrt(1 - rho * rho) * rng.normal(0, scale, m)
            return moments_of(y, x)

        lift = float(rng.normal(0, 0.1)) * scale
        t, c = arm(nt, lift), arm(n, 0.0)
        cases.append(("cuped", f"cuped_sim_{i:02d}_n{n}", cuped_block(t, c, False, alphas[i % 3])))
    # Skewed revenue-like data: lognormal X, Y a noisy multiple.
    for i in range(10):
        n = int(rng.integers(200, 20000))
        def arm(m, mult):
            x = rng.lognormal(2, 1, m) * (rng.random(m) < 0.3)
            y = mult * (0.8 * x + rng.lognormal(1.5, 1.2, m) * (rng.random(m) < 0.35))
            return moments_of(y, x)
        cases.append(("cuped", f"cuped_revenue_{i:02d}", cuped_block(arm(n, 1.03), arm(n + i, 1.0), False, 0.05)))
    # Huge arms from synthetic moments.
    for i, n in enumerate([1e6, 1e7, 1e8, 1e9]):
        t = synth_moments(n, 10.02, 9.0, 5.0, 4.5, 0.7)
        c = synth_moments(n * 1.01, 10.0, 9.001, 5.1, 4.4, 0.72)
        cases.append(("cuped", f"cuped_huge_{i}", cuped_block(t, c, False, 0.05)))
    # Edges.
    edges = {
        "cuped_n1_arm": (moments_of([3.0], [1.0]), moments_of([1, 2, 4], [1, 2, 2]), False),
        "cuped_n1_both": (moments_of([3.0], [1.0]), moments_of([1.0], [2.0]), False),
        "cuped_x_constant": (moments_of([1, 2, 3, 5], [2, 2, 2, 2]), moments_of([0, 2, 2, 1], [2, 2, 2, 2]), False),
        "cuped_y_constant": (moments_of([4, 4, 4], [1, 2, 3]), moments_of([4, 4, 4, 4], [0, 1, 5, 2]), False),
        "cuped_y_linear_in_x": (moments_of([3, 5, 7, 9], [1, 2, 3, 4]), moments_of([1, 3, 5], [0, 1, 2]), False),
        "cuped_control_mean_zero": (moments_of([1, 2, 3, 4], [1, 1, 2, 5]), moments_of([-2, -1, 1, 2], [0, 1, 2, 1]), False),
        "cuped_one_arm_no_variance": (moments_of([2, 2, 2, 2], [1, 2, 3, 4]), moments_of([1, 3, 2, 5, 4], [1, 2, 2, 3, 4]), False),
        "cuped_negative_correlation": (moments_of([5, 4, 3, 1, 0], [0, 1, 2, 3, 5]), moments_of([6, 4, 4, 2], [0, 2, 1, 4]), False),
        "cuped_two_users": (moments_of([1, 3], [2, 5]), moments_of([2, 2.5], [1, 4]), False),
    }
    for name, (t, c, prop) in edges.items():
        cases.append(("cuped", name, cuped_block(t, c, prop, 0.05)))

    # Proportion metrics: 0/1 Y and 0/1 X.
    def binary_arm(m, px, py0, py1):
        x = (rng.random(m) < px).astype(float)
        py = np.where(x == 1, py1, py0)
        y = (rng.random(m) < py).astype(float)
        return moments_of(y, x)

    for i, n in enumerate([5, 20, 100, 1000, 5000, 20000, 100000] * 4):
        px = float(rng.uniform(0.05, 0.6))
        py0 = float(rng.uniform(0.01, 0.3))
        py1 = min(0.99, py0 + float(rng.uniform(0, 0.5)))
        lift = float(rng.uniform(0.9, 1.15))
        t = binary_arm(n + i, px, py0 * lift, min(0.99, py1 * lift))
        c = binary_arm(n, px, py0, py1)
        cases.append(("cuped_proportion", f"cuped_prop_{i:02d}_n{n}", cuped_block(t, c, True, alphas[i % 3])))
    pedges = {
        "cuped_prop_all_zero": (moments_of([0] * 10, [0, 1] * 5), moments_of([0] * 12, [1, 0, 0] * 4)),
        "cuped_prop_control_zero": (moments_of([0, 1, 0, 0, 1], [0, 1, 1, 0, 1]), moments_of([0] * 6, [0, 1, 0, 1, 1, 0])),
        "cuped_prop_x_all_one": (moments_of([0, 1, 1, 0], [1, 1, 1, 1]), moments_of([1, 0, 0, 0, 1], [1] * 5)),
        "cuped_prop_all_one": (moments_of([1] * 7, [1, 0, 1, 0, 1, 1, 0]), moments_of([1] * 9, [0, 1, 0] * 3)),
        "cuped_prop_y_equals_x": (moments_of([0, 1, 1, 0, 1], [0, 1, 1, 0, 1]), moments_of([1, 0, 0, 0], [1, 0, 0, 0])),
        "cuped_prop_one_user": (moments_of([1], [1]), moments_of([0, 1, 0], [0, 1, 1])),
    }
    for name, (t, c) in pedges.items():
        cases.append(("cuped_proportion", name, cuped_block(t, c, True, 0.05)))
    return cases


def ols_cases(rng):
    cases = []
    specs = [
        # (n per arm, proportion, effect, rho-ish slope)
        (20000, False, 0.5, 0.8), (30000, False, 0.3, 0.5), (50000, False, 1.0, 0.95),
        (25000, False, -0.4, 0.3), (40000, False, 2.0, 0.9), (20000, False, 0.25, 0.99),
        (60000, False, 0.8, 0.6), (20000, False, -1.5, 0.7),
        (40000, True, 0.03, 0.0), (60000, True, 0.02, 0.0), (30000, True, -0.04, 0.0),
        (50000, True, 0.05, 0.0),
    ]
    for i, (n, prop, eff, slope) in enumerate(specs):
        nt = n + int(rng.integers(0, n // 10))
        if prop:
            def arm(m, lift):
                x = (rng.random(m) < 0.35).astype(float)
                py = np.where(x == 1, 0.45, 0.12) + lift
                return (rng.random(m) < py).astype(float), x
        else:
            def arm(m, lift):
                x = rng.gamma(2.0, 5.0, m)
                y = 3 + lift + slope * x + math.sqrt(1 - slope * slope) * rng.normal(0, 10, m)
                return y, x
        yt, xt = arm(nt, eff)
        yc, xc = arm(n, 0.0)
        y = np.concatenate([yt, yc])
        x = np.concatenate([xt, xc])
        a = np.concatenate([np.ones(nt), np.zeros(n)])
        fit = sm.OLS(y, sm.add_constant(np.column_stack([a, x]))).fit()
        b = cuped_block(moments_of(yt, xt), moments_of(yc, xc), prop, 0.05)
        b["ols_arm"] = float(fit.params[1])
        b["ols_arm_se"] = float(fit.bse[1])
        rel = abs(b["adjusted"]["diff"] - b["ols_arm"]) / abs(b["ols_arm"])
        assert rel < 1e-3, (i, rel)
        b["ols_rel_diff"] = rel
        cases.append(("cuped_ols", f"cuped_ols_{i:02d}_{'prop' if prop else 'mean'}", b))
    return cases


# ----------------------------------------------------------- sequential


def rho2_of(tuning, alpha):
    return (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning


def sequential_block(e, n, tuning, alpha):
    out = {"in": e, "n": int(n), "tuning": tuning, "alpha": alpha}
    rho2 = rho2_of(tuning, alpha)
    nf = float(n)
    half = e["se"] * math.sqrt(nf) * math.sqrt(
        2 * (nf * rho2 + 1) * math.log(math.sqrt(nf * rho2 + 1) / alpha) / (nf * nf * rho2))
    p = min(1.0, math.sqrt(nf * rho2 + 1) *
            math.exp(-rho2 * nf * (e["diff"] / e["se"]) ** 2 / (2 * (nf * rho2 + 1))))
    out.update({"p": p, "low": e["diff"] - half, "high": e["diff"] + half})
    factor = half / e["se"]
    if e["rel_ok"]:
        out["rel_low"] = e["rel"] - factor * e["rel_se"]
        out["rel_high"] = e["rel"] + factor * e["rel_se"]
    else:
        out["rel_low"] = out["rel_high"] = None
    return out


def sequential_cases(rng):
    cases = []
    tunings = [100, 1000, 5000, 20000, 1e5, 1e6]
    alphas = [0.01, 0.05, 0.1]
    ns = [2, 10, 100, 1000, 10000, 100000, 10**6, 10**8, 10**10]
    i = 0
    for n in ns:
        for tuning in tunings[::2] if n < 1000 else tunings:
            alpha = alphas[i % 3]
            se = float(10 ** rng.uniform(-4, 1))
            z = float(rng.choice([0.0, rng.normal(0, 2), rng.normal(0, 5), 1.96, -3.0]))
            d = z * se
            muc = float(rng.choice([0.0, 10 ** rng.uniform(-2, 3)]))
            e = {"diff": d, "se": se, "ok": True, "rel_ok": muc != 0,
                 "rel": d / muc if muc else 0.0, "rel_se": se / muc * 1.1 if muc else 0.0}
            cases.append(("sequential", f"seq_{i:03d}_n{n}", sequential_block(e, n, float(tuning), alpha)))
            i += 1
    # d = 0 (p capped at 1), huge z (p underflows toward 0), tiny tuning.
    for name, d, se, n, tuning, alpha in [
        ("seq_zero_diff", 0.0, 0.01, 20000, 5000.0, 0.05),
        ("seq_zero_diff_small_n", 0.0, 1.0, 4, 5000.0, 0.01),
        ("seq_huge_z", 0.5, 0.01, 200000, 5000.0, 0.05),
        ("seq_large_z", 0.09, 0.01, 200000, 5000.0, 0.05),
        ("seq_tiny_tuning", 0.02, 0.01, 1000, 1.0, 0.05),
        ("seq_huge_tuning", 0.02, 0.01, 1000, 1e12, 0.05),
        ("seq_n1", 0.3, 0.2, 1, 5000.0, 0.1),
        ("seq_negative", -0.04, 0.01, 50000, 50000.0, 0.05),
    ]:
        e = {"diff": d, "se": se, "ok": True, "rel_ok": True, "rel": d / 2, "rel_se": se / 2}
        cases.append(("sequential", name, sequential_block(e, n, tuning, alpha)))
    return cases


def seq_users(varc, vart, delta, alpha, tuning, wc, wt):
    z8 = stats.norm.ppf(0.8)
    rho2 = rho2_of(tuning, alpha)

    def g(nc):
        nt = nc * wt / wc
        n = nc + nt
        u = n * rho2
        c = math.sqrt(n) * math.sqrt(2 * (u + 1) * math.log(math.sqrt(u + 1) / alpha) / (n * n * rho2))
        return (c + z8) * math.sqrt(varc / nc + vart / nt) - abs(delta)

    hi = 1.0
    while g(hi) > 0:
        hi *= 2
    lo = hi / 2
    while g(lo) <= 0:
        lo /= 2
    nc = optimize.brentq(g, lo, hi, xtol=1e-300, rtol=1e-14, maxiter=500)
    return nc, nc * wt / wc


def sequential_n_cases(rng):
    cases = []
    for i in range(30):
        varc = float(10 ** rng.uniform(-3, 3))
        vart = varc * float(rng.uniform(0.5, 2))
        delta = float(rng.choice([-1, 1])) * math.sqrt(varc) * float(10 ** rng.uniform(-2.5, 0.3))
        alpha = [0.01, 0.05, 0.1][i % 3]
        tuning = float(rng.choice([1000, 5000, 20000, 1e5]))
        wc, wt = [(1, 1), (0.5, 0.5), (0.3, 0.7), (2, 1), (0.9, 0.1)][i % 5]
        nc, nt = seq_users(varc, vart, delta, alpha, tuning, wc, wt)
        fixed = (stats.norm.isf(alpha / 2) + stats.norm.ppf(0.8)) ** 2 * (varc + vart * wc / wt) / delta ** 2
        cases.append(("sequential_n", f"seq_n_{i:02d}", {
            "var_c": varc, "var_t": vart, "delta": delta, "alpha": alpha, "tuning": tuning,
            "wc": wc, "wt": wt, "nc": nc, "nt": nt, "fixed_nc": fixed}))
    # A difference so large that well under one user suffices.
    nc, nt = seq_users(1.0, 1.0, 100.0, 0.05, 5000.0, 1, 1)
    cases.append(("sequential_n", "seq_n_below_one_user", {
        "var_c": 1.0, "var_t": 1.0, "delta": 100.0, "alpha": 0.05, "tuning": 5000.0,
        "wc": 1, "wt": 1, "nc": nc, "nt": nt,
        "fixed_nc": (stats.norm.isf(0.025) + stats.norm.ppf(0.8)) ** 2 * 2 / 100.0 ** 2}))
    return cases


# ------------------------------------------------------------------ BH


def bh_cases(rng):
    cases = []
    sizes = list(range(1, 21)) + [25, 30, 40, 50, 64, 75, 100, 128, 149, 150]
    for i, m in enumerate(sizes):
        kind = i % 4
        if kind == 0:
            p = rng.random(m)
        elif kind == 1:
            p = np.concatenate([rng.random(m // 2) * 1e-3, rng.random(m - m // 2)])
        elif kind == 2:
            p = 10 ** rng.uniform(-12, 0, m)
        else:
            p = np.round(rng.random(m), 2)  # many ties
        rng.shuffle(p)
        cases.append(("bh", f"bh_{i:02d}_m{m}", list(map(float, p))))
    specials = {
        "bh_single_one": [1.0],
        "bh_single_zero": [0.0],
        "bh_all_one": [1.0] * 7,
        "bh_all_zero": [0.0] * 5,
        "bh_all_tied": [0.03] * 12,
        "bh_tiny": [1e-300, 5e-324, 1e-200, 0.5, 1e-16],
        "bh_with_ones": [0.01, 1.0, 0.04, 1.0, 0.002, 0.9],
        "bh_sorted": [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
        "bh_reversed": [0.9, 0.5, 0.2, 0.05, 0.01, 0.001],
        "bh_ties_at_edges": [0.02, 0.02, 0.5, 0.5, 0.5, 1.0, 1.0],
        "bh_near_one": [0.99, 0.999, 0.98, 0.9999],
        "bh_benjamini_1995": [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298,
                              0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0],
    }
    for name, p in specials.items():
        cases.append(("bh", name, p))
    for i in range(38):
        m = int(rng.integers(1, 151))
        p = rng.beta(0.3, 1.0, m)
        if i % 3 == 0:
            p[rng.integers(0, m, max(1, m // 5))] = 1.0
        cases.append(("bh", f"bh_rand_{i:02d}_m{m}", list(map(float, p))))
    out = []
    for cat, name, p in cases:
        q = multipletests(np.array(p), method="fdr_bh")[1]
        out.append((cat, name, {"p": p, "q": list(map(float, q))}))
    return out


# --------------------------------------------------------------- looks


def looks_mvn(k, alpha):
    z = stats.norm.isf(alpha / 2)
    cov = np.array([[math.sqrt(min(i, j) / max(i, j)) for j in range(1, k + 1)]
                    for i in range(1, k + 1)])
    est = stats.multivariate_normal.cdf(np.full(k, z), cov=cov, lower_limit=np.full(k, -z),
                                        maxpts=1_000_000 * k, abseps=1e-6, releps=1e-6)
    return 1 - float(est)


def looks_grid(k, alpha, step=0.005):
    """Armitage-McPherson-Rowe with Simpson's rule on uniform grids."""
    z = stats.norm.isf(alpha / 2)
    if k == 1:
        return alpha

    def grid(a):
        m = int(math.ceil(2 * a / step / 2)) * 2  # even number of intervals
        s = np.linspace(-a, a, m + 1)
        w = np.ones(m + 1)
        w[1:-1:2] = 4
        w[2:-1:2] = 2
        return s, w * (2 * a / m) / 3

    s, w = grid(z)
    f = stats.norm.pdf(s)
    for j in range(2, k + 1):
        ns, nw = grid(z * math.sqrt(j))
        f = stats.norm.pdf(ns[:, None] - s[None, :]) @ (w * f)
        s, w = ns, nw
    return 1 - float(np.sum(w * f))


TABLE = {2: 0.083, 3: 0.107, 4: 0.126, 5: 0.142, 10: 0.193, 20: 0.248}


def looks_cases():
    cases = []
    for alpha in [0.05, 0.01, 0.1]:
        for k in list(range(2, 11)) + [15, 20]:
            b = {"looks": k, "alpha": alpha, "grid": looks_grid(k, alpha)}
            if k <= 10:
                b["mvn"] = looks_mvn(k, alpha)
                assert abs(b["mvn"] - b["grid"]) < 1e-4, (k, alpha, b)
            if alpha == 0.05 and k in TABLE:
                b["table"] = TABLE[k]
                assert abs(b["grid"] - TABLE[k]) <= 5e-4, (k, b)
            cases.append(("looks", f"looks_{k:02d}_a{alpha}", b))
    cases.append(("looks", "looks_01_a0.05", {"looks": 1, "alpha": 0.05, "grid": 0.05, "mvn": 0.05}))
    return cases


def main():
    rng = np.random.default_rng(SEED)
    raw = (cuped_cases(rng) + ols_cases(rng) + sequential_cases(rng)
           + sequential_n_cases(rng) + bh_cases(rng) + looks_cases())
    cases = []
    for cat, name, block in raw:
        key = {"cuped": "cuped", "cuped_proportion": "cuped", "cuped_ols": "cuped",
               "sequential": "sequential", "sequential_n": "sequential_n",
               "bh": "bh", "looks": "looks"}[cat]
        cases.append({"id": name, "category": cat, key: block})
    path = write_vectors("vectors_methods.json", cases)
    print(f"wrote {len(cases)} cases to {path}: {per_category(cases)}")


def write_vectors(name, cases):
    """Writes cases, with the versions that computed them, to the vector
    file name beside this script (shared by generate_analysis.py and
    generate_segments.py); returns its path."""
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate ids"
    out = {
        "versions": {"python": ".".join(map(str, sys.version_info[:3])), "numpy": np.__version__,
                     "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "count": len(cases),
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")
    return path


def per_category(cases):
    """The number of cases per category."""
    per = {}
    for c in cases:
        per[c["category"]] = per.get(c["category"], 0) + 1
    return per


if __name__ == "__main__":
    main()

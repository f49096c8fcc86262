#!/usr/bin/env python3
"""Reference vectors for the v2 statistics of internal/stats.

Run with the system Python, where scipy 1.10.1, statsmodels 0.13.5, numpy
1.24.2 and mpmath 1.2.1 are installed:

    /usr/bin/python3 testdata/stats/generate_v2.py

It writes testdata/stats/vectors_v2.json next to itself. The output is
deterministic (fixed seed, sorted keys). The reference for each quantity
(docs/statistics.md):

  mean      MeanSummary(n, Σx, Σx²): "mean", "var" are the formula
            Σx/n, (Σx² − (Σx)²/n)/(n − 1) evaluated exactly (fractions.Fraction)
            on the float sums; "np_mean", "np_var" are np.mean(x) and
            np.var(x, ddof=1) of the simulated per-user values x, whose sums
            (math.fsum, correctly rounded) are the inputs. A central moment
            within 16 units of rounding of its larger term is 0 (the sums
            cannot resolve it; internal/stats/moments.go).
  ratio     RatioSummary(n, Σx, Σx², Σy, Σy², Σxy): "mean" = Σx/Σy, "var" =
            gbstats RatioStatistic's s_x²/μy² + s_y²μx²/μy⁴ − 2s_xyμx/μy³,
            exact on the float sums; "lin_var" = np.var((x − r·y)/μy, ddof=1)
            of the per-user values. The two are the same quantity: the
            variance of a linear combination is the bilinear form of the
            moments, var(x − r·y) = s_x² + r²s_y² − 2r·s_xy, for any r, and
            dividing by μy² with r = μx/μy gives gbstats' three terms. The
            generator asserts they agree to 1e-9 on every simulated arm.
            ok = false (null) when Σy = 0.
  welch     Welch(t, c, α): "t_stat", "p" from scipy.stats.ttest_ind_from_stats(
            μ_t, s_t, n_t, μ_c, s_c, n_c, equal_var=False); "df" (ν), "se" and
            the relative se from the formulas in numpy; "low", "high",
            "rel_low", "rel_high" with q = scipy.stats.t.isf(α/2, ν). Checked
            independently: ν, se, d and the relative se in plain Python from
            the formulas, p = I_{ν/(ν+t²)}(ν/2, 1/2) in mpmath at 30 digits
            (asserted equal to scipy's p to 1e-9), and q by mpmath root
            finding (scipy's t.isf is within 1e-8 of it: cdflib's search
            tolerance; "q_mp" holds the exact value).
  normal    NormalDiff(t, c, α) for events (Var = rate) and proportions
            (Var = p(1 − p)): d, se = √(v_t/n_t + v_c/n_c), p =
            scipy.special.erfc(|d/se|/√2) (= 2·scipy.stats.norm.sf(|d|/se)),
            CI with scipy.stats.norm.isf(α/2), relative as in welch.
  srm       scipy.stats.chisquare(users, f_exp=total·shares/sum(shares)), k − 1 df.
  bonf      statsmodels.stats.multitest.multipletests(pvals, method='bonferroni')[1].
  power     NormalUsersPerArm: n_c = (z_{1−α/2} + z_{0.8})²(s_c² + s_t²w_c/w_t)/δ²
            with scipy.stats.norm.ppf; "sm_nc" = statsmodels NormalIndPower().
            solve_power(effect_size=|δ|√((1 + w_c/w_t)/(s_c² + s_t²w_c/w_t)),
            alpha=α, power=0.8, ratio=w_t/w_c) as a loose cross-check (it adds
            the far tail).
  mde       NormalMDE: (z_{1−α/2} + z_{0.8})√(s_c²/n_c + s_t²/n_t). Cross-check
            ("sm_power", asserted in [0.8, 0.8001]): statsmodels
            NormalIndPower().power(effect_size=δ·√(1/n_c + 1/n_t)/√(s_c²/n_c +
            s_t²/n_t), nobs1=n_c, ratio=n_t/n_c), 0.8 plus the far tail.
            (Its solve_power for the effect size stops about 3e-3 short.)
  pmde      ProportionMDE: p1 = sin²(asin(√p_c) ± h/2), h = (z_{1−α/2} +
            z_{0.8})√(1/n_c + 1/n_t); "sm_power" as for mde at Cohen's h of
            (p_c, p1).
  studentt  2·scipy.special.stdtr(ν, −|t|) and scipy.stats.t.isf(α/2, ν)
            (with "q_mp", the mpmath root) for the internal t tail/quantile.

Undefined references (nan / inf, or outside the function's domain) are
written as null, with the quantity named in the case's "undefined" list and
ok = false.
"""

import json
import math
import os
import warnings
from fractions import Fraction as F

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower

warnings.simplefilter("ignore")
mp.mp.dps = 30

SEED = 20240917
ALPHAS = [0.05, 0.01, 0.1]
EPS = 2.0 ** -52
NOISE = 16  # units of rounding, as noiseULPs in internal/stats/moments.go


def num(v):
    """A float for JSON, or None when the reference is undefined."""
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return None
    return v


def rel_close(a, b, tol):
    if a == b:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b))


# ---------------------------------------------------------------- moments

def exact_central(n, sxy, sx, sy):
    """Σxy − ΣxΣy/n exactly on the float sums, 0 within the noise."""
    m = F(sxy) - F(sx) * F(sy) / n
    scale = max(abs(sxy), abs(sx * sy / n))
    if abs(m) <= NOISE * EPS * scale:
        return F(0)
    return m


def mean_arm(x):
    """A mean-metric arm from per-user values x: the sums and references."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    s, ss = math.fsum(x), math.fsum(x * x)
    b = {"n": n, "sum": s, "sum_squares": ss,
         "np_mean": float(np.mean(x)),
         "np_var": float(np.var(x, ddof=1)) if n >= 2 else 0.0}
    b["mean"] = float(F(s) / n)
    b["var"] = float(exact_central(n, ss, s, s) / (n - 1)) if n >= 2 else 0.0
    assert rel_close(b["mean"], b["np_mean"], 1e-12) or abs(b["mean"]) < 1e-12
    assert rel_close(b["var"], b["np_var"], 1e-9) or abs(b["np_var"]) < 1e-12, (b, )
    return b


def mean_arm_from_sums(n, s, ss):
    """A mean-metric arm given only its sums (no per-user data)."""
    b = {"n": n, "sum": s, "sum_squares": ss, "np_mean": None, "np_var": None}
    b["mean"] = float(F(s) / n) if n else 0.0
    b["var"] = float(exact_central(n, ss, s, s) / (n - 1)) if n >= 2 else 0.0
    return b


def ratio_arm(x, y):
    """A ratio-metric arm from per-user numerators x and denominators y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    sx, sy = math.fsum(x), math.fsum(y)
    b = {"n": n, "sum_x": sx, "sum_xx": math.fsum(x * x), "sum_y": sy,
         "sum_yy": math.fsum(y * y), "sum_xy": math.fsum(x * y)}
    ratio_refs(b)
    if b["ok"] and n >= 2:
        r, my = sx / sy, sy / n
        lin = (x - r * y) / my
        b["lin_var"] = float(np.var(lin, ddof=1))
        assert rel_close(b["var"], b["lin_var"], 1e-9) or abs(b["lin_var"]) < 1e-12, b
    else:
        b["lin_var"] = None
    return b


def ratio_refs(b):
    n, sx, sy = b["n"], b["sum_x"], b["sum_y"]
    if n == 0 or sy == 0:
        b.update(mean=None, var=None, ok=False)
        return
    b["mean"], b["ok"] = float(F(sx) / F(sy)), True
    if n < 2:
        b["var"] = 0.0
        return
    d = n - 1
    vx = exact_central(n, b["sum_xx"], sx, sx) / d
    vy = exact_central(n, b["sum_yy"], sy, sy) / d
    cxy = exact_central(n, b["sum_xy"], sx, sy) / d
    mx, my = F(sx) / n, F(sy) / n
    v = vx / my**2 + vy * mx**2 / my**4 - 2 * cxy * mx / my**3  # gbstats
    r = sx / sy
    scale = (abs(b["sum_xx"]) + r * r * abs(b["sum_yy"]) + 2 * abs(r * b["sum_xy"])) / (d * float(my)**2)
    b["var"] = 0.0 if float(v) <= NOISE * EPS * scale else float(v)


def ratio_arm_from_sums(n, sx, sxx, sy, syy, sxy):
    b = {"n": n, "sum_x": sx, "sum_xx": sxx, "sum_y": sy, "sum_yy": syy,
         "sum_xy": sxy, "lin_var": None}
    ratio_refs(b)
    return b


# ---------------------------------------------------------------- t tests

def mp_tail(t, nu):
    """2·P(T_ν ≥ |t|) in mpmath."""
    nu, t = mp.mpf(nu), mp.mpf(abs(t))
    if t == 0:
        return mp.mpf(1)
    return mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + t * t), regularized=True)


def mp_quantile(alpha, nu, start):
    """t with mp_tail(t, ν) = α, by root finding on the log tail."""
    la = mp.log(mp.mpf(alpha))
    return float(mp.findroot(lambda t: mp.log(mp_tail(t, nu)) - la, mp.mpf(start)))


def welch_block(t, c, alpha):
    """t, c: dicts with n, mean, var. The Welch reference and its checks."""
    b = {"t": {k: t[k] for k in ("n", "mean", "var")},
         "c": {k: c[k] for k in ("n", "mean", "var")}, "alpha": alpha}
    undefined = []
    nt, mt, vt = t["n"], t["mean"], t["var"]
    nc, mc, vc = c["n"], c["mean"], c["var"]
    empty = dict(diff=None, se=None, df=None, p=None, t_stat=None, low=None,
                 high=None, ok=False, rel=None, rel_se=None, rel_low=None,
                 rel_high=None, rel_ok=False, q_mp=None)
    if nt < 2 or nc < 2:
        b.update(empty)
        return b, ["welch: n < 2 in an arm"]
    if vt == 0 and vc == 0:
        b.update(empty)
        return b, ["welch: both variances 0 (se = 0)"]
    tstat, p = stats.ttest_ind_from_stats(mt, math.sqrt(vt), nt, mc, math.sqrt(vc), nc,
                                          equal_var=False)
    vnt, vnc = vt / nt, vc / nc
    se = float(np.sqrt(vnt + vnc))
    nu = float((vnt + vnc) ** 2 / (vnt ** 2 / (nt - 1) + vnc ** 2 / (nc - 1)))
    d = mt - mc
    # Independent: the formulas in exact rationals / mpmath.
    Vt, Vc = F(vt) / nt, F(vc) / nc
    nu_x = float((Vt + Vc) ** 2 / (Vt ** 2 / (nt - 1) + Vc ** 2 / (nc - 1)))
    assert rel_close(nu, nu_x, 1e-12), (nu, nu_x)
    assert rel_close(se, math.sqrt(float(Vt + Vc)), 1e-15)
    assert rel_close(float(tstat), d / se, 1e-12), (tstat, d / se)
    pm = mp_tail(d / se, nu)
    if pm > mp.mpf("1e-300"):
        assert rel_close(float(p), float(pm), 1e-9), (p, pm, nu, d / se)
    else:
        assert float(p) < 1e-290
    q = float(stats.t.isf(alpha / 2, nu))
    qm = mp_quantile(alpha, nu, q)
    assert rel_close(q, qm, 1e-7), (q, qm)
    b.update(diff=d, se=se, df=nu, p=num(p), t_stat=num(tstat), low=d - q * se,
             high=d + q * se, ok=True, q_mp=qm)
    rel_part(b, mt, mc, vnt, vnc, d, q, undefined)
    return b, undefined


def rel_part(b, mt, mc, vnt, vnc, d, q, undefined):
    if mc == 0:
        b.update(rel=None, rel_se=None, rel_low=None, rel_high=None, rel_ok=False)
        undefined.append("rel: control mean 0")
        return
    rel = d / abs(mc)
    rse = math.sqrt(vnt / mc ** 2 + vnc * mt ** 2 / mc ** 4)
    Rse = math.sqrt(float(F(vnt) / F(mc) ** 2 + F(vnc) * F(mt) ** 2 / F(mc) ** 4))
    assert rel_close(rse, Rse, 1e-14)
    b.update(rel=rel, rel_se=rse, rel_low=rel - q * rse, rel_high=rel + q * rse, rel_ok=True)


def normal_block(t, c, alpha, kind):
    """NormalDiff reference; t, c: dicts with n, mean, var."""
    b = {"t": t, "c": c, "alpha": alpha, "kind": kind}
    undefined = []
    nt, mt, vt = t["n"], t["mean"], t["var"]
    nc, mc, vc = c["n"], c["mean"], c["var"]
    vnt, vnc = vt / nt, vc / nc
    se = math.sqrt(vnt + vnc)
    if se == 0:
        b.update(diff=None, se=None, p=None, low=None, high=None, ok=False,
                 rel=None, rel_se=None, rel_low=None, rel_high=None, rel_ok=False)
        return b, ["normal: se = 0"]
    d = mt - mc
    z = float(stats.norm.isf(alpha / 2))
    p = float(special.erfc(abs(d / se) / math.sqrt(2)))
    p2 = float(2 * stats.norm.sf(abs(d / se)))
    assert rel_close(p, p2, 1e-12) or p < 1e-300
    b.update(diff=d, se=se, p=p, low=d - z * se, high=d + z * se, ok=True)
    rel_part(b, mt, mc, vnt, vnc, d, z, undefined)
    return b, undefined


def events_arm(x, n):
    return {"n": n, "mean": x / n, "var": x / n}


def prop_arm(x, n):
    p = x / n
    return {"n": n, "mean": p, "var": p * (1 - p)}


# ---------------------------------------------------------------- others

def srm_block(users, shares):
    users = [int(u) for u in users]
    total = sum(users)
    if total == 0:  # nothing to test: ChiSquareGOF's (0, 1); scipy: nan
        return {"observed": users, "shares": list(shares), "df": len(users) - 1,
                "chi2": 0.0, "p": 1.0}, []
    f_exp = np.array(shares, dtype=float) / sum(shares) * total
    r = stats.chisquare(users, f_exp=f_exp)
    return {"observed": users, "shares": list(shares), "df": len(users) - 1,
            "chi2": num(r.statistic), "p": num(r.pvalue)}, []


def bonf_block(pvals):
    adj = multipletests(pvals, method="bonferroni")[1]
    return {"pvals": list(pvals), "m": len(pvals), "adjusted": [float(a) for a in adj]}, []


def zsum(alpha):
    return stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(0.8)


def sm_solve(**kw):
    try:
        v = NormalIndPower().solve_power(alpha=kw.pop("alpha"), power=0.8,
                                         alternative="two-sided", **kw)
        return float(np.asarray(v).item())
    except Exception:
        return None


def power_block(varc, vart, delta, alpha, wc, wt):
    b = {"var_c": varc, "var_t": vart, "delta": delta, "alpha": alpha, "wc": wc, "wt": wt}
    v = varc + vart * wc / wt
    if delta == 0 or v == 0:
        b.update(nc=None, nt=None, ok=False, sm_nc=None)
        return b, ["power: delta or variance 0"]
    nc = zsum(alpha) ** 2 * v / delta ** 2
    b.update(nc=nc, nt=nc * wt / wc, ok=True)
    es = abs(delta) * math.sqrt((1 + wc / wt) / v)
    sm = sm_solve(effect_size=es, nobs1=None, alpha=alpha, ratio=wt / wc)
    if sm is not None:
        ach = NormalIndPower().power(effect_size=es, nobs1=sm, alpha=alpha, ratio=wt / wc)
        sm = sm if abs(ach - 0.8) < 1e-6 else None
    b["sm_nc"] = sm
    return b, []


def sm_power(es, nc, nt, alpha):
    """statsmodels' power at standardised effect es: 0.8 plus the far tail."""
    pw = float(NormalIndPower().power(effect_size=es, nobs1=nc, alpha=alpha,
                                      ratio=nt / nc, alternative="two-sided"))
    assert 0.8 - 1e-9 <= pw <= 0.8 + 1e-4, pw
    return pw


def mde_block(varc, vart, nc, nt, alpha):
    b = {"var_c": varc, "var_t": vart, "nc": nc, "nt": nt, "alpha": alpha}
    k = math.sqrt(varc / nc + vart / nt)
    b["delta"] = zsum(alpha) * k
    # statsmodels' solver for the effect size stops at about 3e-3 relative;
    # its power at our δ (standardised by √(1/n_c + 1/n_t)/k) is the check.
    b["sm_power"] = sm_power(b["delta"] / k * math.sqrt(1 / nc + 1 / nt), nc, nt, alpha) if k > 0 else None
    return b, []


def pmde_block(pc, nc, nt, alpha, increase):
    b = {"pc": pc, "nc": nc, "nt": nt, "alpha": alpha, "increase": increase}
    h = zsum(alpha) * math.sqrt(1 / nc + 1 / nt)
    phi = math.asin(math.sqrt(pc)) + (h / 2 if increase else -h / 2)
    if not (0 <= phi <= math.pi / 2):
        b.update(p1=None, ok=False, sm_power=None)
        return b, ["pmde: the rate leaves [0, 1]"]
    p1 = min(1.0, math.sin(phi) ** 2)
    b.update(p1=p1, ok=True)
    hh = abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(pc)))
    b["sm_power"] = sm_power(hh, nc, nt, alpha)
    return b, []


def studentt_block(nu, t=None, alpha=None):
    if t is not None:
        return {"nu": nu, "t": t, "p": float(2 * special.stdtr(nu, -abs(t)))}, []
    q = float(stats.t.isf(alpha / 2, nu))
    return {"nu": nu, "alpha": alpha, "q": q, "q_mp": mp_quantile(alpha, nu, q)}, []


# ---------------------------------------------------------------- cases

class Cases:
    def __init__(self):
        self.cases = []
        self.count = {}

    def add(self, category, note=None, **blocks):
        i = self.count.get(category, 0) + 1
        self.count[category] = i
        c = {"id": "%s-%03d" % (category, i), "category": category}
        undefined = []
        for name, (b, u) in blocks.items():
            c[name] = b
            undefined += u
        if undefined:
            c["undefined"] = undefined
        if note:
            c["note"] = note
        self.cases.append(c)


def mean_case(cs, cat, xt, xc, alpha, note=None):
    """Per-user values → MeanSummary references → Welch."""
    t, c = mean_arm(xt), mean_arm(xc)
    cs.add(cat, note=note, mean=({"t": t, "c": c}, []), welch=welch_block(t, c, alpha))


def sums_case(cs, cat, t, c, alpha, note=None):
    """Sums only (huge n) → MeanSummary references → Welch."""
    t, c = mean_arm_from_sums(*t), mean_arm_from_sums(*c)
    cs.add(cat, note=note, mean=({"t": t, "c": c}, []), welch=welch_block(t, c, alpha))


def ratio_case(cs, cat, t, c, alpha, note=None):
    u = []
    if not (t["ok"] and c["ok"]):
        u = ["ratio: sum of denominators 0 in an arm"]
        cs.add(cat, note=note, ratio=({"t": t, "c": c}, u))
        return
    st = {"n": t["n"], "mean": t["mean"], "var": t["var"]}
    sc = {"n": c["n"], "mean": c["mean"], "var": c["var"]}
    cs.add(cat, note=note, ratio=({"t": t, "c": c}, u), welch=welch_block(st, sc, alpha))


def summary_case(cs, cat, t, c, alpha, note=None):
    """Welch on given summaries (n, mean, var)."""
    t = dict(zip(("n", "mean", "var"), t))
    c = dict(zip(("n", "mean", "var"), c))
    cs.add(cat, note=note, welch=welch_block(t, c, alpha))


def main():
    rng = np.random.default_rng(SEED)
    cs = Cases()

    # typical: simulated revenue-like and score-like per-user values.
    for i in range(40):
        nc = int(rng.integers(50, 20_000))
        nt = int(nc * rng.uniform(0.8, 1.2))
        mu = float(rng.choice([1.0, 10.0, 37.5, 250.0]))
        sd = mu * float(rng.uniform(0.2, 3.0))
        lift = float(rng.choice([0.0, 0.01, 0.03, -0.02, 0.1]))
        if i % 2:
            xc = rng.gamma((mu / sd) ** 2, sd ** 2 / mu, nc)
            xt = rng.gamma((mu / sd) ** 2, sd ** 2 / mu, nt) * (1 + lift)
        else:
            xc = np.round(rng.normal(mu, sd, nc), 2)
            xt = np.round(rng.normal(mu * (1 + lift), sd, nt), 2)
        mean_case(cs, "typical", xt, xc, ALPHAS[i % 3])

    # small: n = 2 and 3 (and n = 1, undefined).
    for i in range(24):
        nt, nc = [(2, 2), (2, 3), (3, 2), (3, 3), (2, 50), (40, 3)][i % 6]
        xt = np.round(rng.normal(5, 2, nt), 3)
        xc = np.round(rng.normal(5, 2, nc), 3)
        mean_case(cs, "small", xt, xc, ALPHAS[i % 3])
    for nt, nc in [(1, 5), (5, 1), (1, 1)]:
        mean_case(cs, "small", rng.normal(3, 1, nt), rng.normal(3, 1, nc), 0.05,
                  note="n = 1: undefined")

    # huge: 10^8 users per arm, from sums (moments as a pipeline writes them).
    for i in range(24):
        n = int(rng.choice([10**7, 10**8, 99_999_989, 2 * 10**8]))
        nt = n if i % 3 == 0 else int(n * rng.uniform(0.98, 1.0))
        mu = float(rng.choice([0.5, 3.0, 42.0, 1000.0]))
        sd = mu * float(rng.uniform(0.5, 5))
        se = sd * math.sqrt(2 / n)
        shift = float(rng.choice([0.0, 0.5, 1.96, 3.0, 6.0, 40.0]))
        mt = mu + (shift if i % 2 else -shift) * se
        # Sums as float64 from the moments (not simulated per user).
        t = (nt, mt * nt, (sd * sd * (nt - 1) + mt * mt * nt))
        c = (n, mu * n, (sd * sd * (n - 1) + mu * mu * n))
        sums_case(cs, "huge", t, c, ALPHAS[i % 3])

    # zero_var_one: one arm with every user at the same value.
    for i in range(16):
        n1, n2 = int(rng.integers(2, 5000)), int(rng.integers(2, 5000))
        val = float(rng.choice([0.0, 1.0, 9.99, 3.0, -2.5]))
        other = np.round(rng.normal(val + 0.2, 1.5, n2), 2)
        const = np.full(n1, val)
        if i % 2:
            mean_case(cs, "zero_var_one", const, other, ALPHAS[i % 3])
        else:
            mean_case(cs, "zero_var_one", other, const, ALPHAS[i % 3])

    # both_zero_var: se = 0, undefined.
    for val_t, val_c, nt, nc in [(1.0, 1.0, 10, 12), (3.0, 2.0, 100, 100),
                                 (9.99, 9.99, 1000, 999), (0.0, 5.0, 3, 4),
                                 (0.1, 0.1, 7, 7), (-1.5, 2.0, 2, 2)]:
        mean_case(cs, "both_zero_var", np.full(nt, val_t), np.full(nc, val_c), 0.05)

    # negative: values and sums below zero (profit deltas, balances).
    for i in range(20):
        nc = int(rng.integers(20, 10_000))
        nt = int(nc * rng.uniform(0.7, 1.3))
        mu = -float(rng.choice([0.5, 4.0, 120.0]))
        sd = abs(mu) * float(rng.uniform(0.3, 2))
        xc = np.round(rng.normal(mu, sd, nc), 2)
        xt = np.round(rng.normal(mu * (1 + float(rng.uniform(-0.1, 0.1))), sd, nt), 2)
        mean_case(cs, "negative", xt, xc, ALPHAS[i % 3])

    # unequal: unequal splits and very different variances.
    for i in range(20):
        wc = float(rng.choice([0.9, 0.1, 0.7, 0.2, 0.95]))
        total = int(rng.integers(200, 40_000))
        nc = max(2, int(total * wc))
        nt = max(2, total - nc)
        xc = rng.exponential(float(rng.uniform(1, 20)), nc)
        xt = rng.exponential(float(rng.uniform(1, 20)), nt) * float(rng.uniform(0.2, 5))
        mean_case(cs, "unequal", xt, xc, ALPHAS[i % 3])

    # alpha: the same data at 0.05, 0.01, 0.1 and Bonferroni levels.
    for i in range(5):
        nc = int(rng.integers(100, 5000))
        xc = rng.normal(10, 3, nc)
        xt = rng.normal(10.3, 3, nc + int(rng.integers(-50, 50)))
        for a in [0.05, 0.01, 0.1, 0.05 / 3, 0.05 / 9, 0.001]:
            mean_case(cs, "alpha", xt, xc, a)

    # control_zero: control mean exactly 0, relative undefined.
    for i in range(10):
        nc = 2 * int(rng.integers(2, 2000))
        half = rng.integers(1, 100, nc // 2).astype(float)
        xc = np.concatenate([half, -half])  # mean exactly 0
        xt = np.round(rng.normal(0.5, 20, int(rng.integers(3, 3000))), 1)
        mean_case(cs, "control_zero", xt, xc, ALPHAS[i % 3])
    mean_case(cs, "control_zero", rng.normal(1, 1, 50), np.zeros(40), 0.05,
              note="control all 0: zero variance and zero mean")

    # far_tail: p near and below 1e-300 at moderate and huge ν.
    for i, (n, shift) in enumerate([(50, 30), (200, 40), (10_000, 36), (10**6, 37),
                                    (10**8, 38), (10**8, 37.2), (10**8, 20), (30, 200),
                                    (5, 1e4)]):
        sd = 1.0
        se = sd * math.sqrt(2 / n)
        summary_case(cs, "far_tail", (n, 1 + shift * se, sd * sd), (n, 1.0, sd * sd), ALPHAS[i % 3])

    # ratio: revenue per session, clicks per view; simulated users.
    for i in range(40):
        nc = int(rng.integers(30, 20_000))
        nt = int(nc * rng.uniform(0.8, 1.2))
        lam = float(rng.choice([0.5, 2.0, 8.0]))
        price = float(rng.choice([1.0, 25.0, 0.3]))
        yc = rng.poisson(lam, nc).astype(float)
        yt = rng.poisson(lam, nt).astype(float)
        xc = np.round(yc * price * rng.gamma(2.0, 0.5, nc), 2)
        xt = np.round(yt * price * (1 + float(rng.choice([0, 0.05, -0.03]))) * rng.gamma(2.0, 0.5, nt), 2)
        if i % 5 == 4:  # negative numerators (refund-heavy)
            xt -= price * 0.8 * yt
            xc -= price * 0.8 * yc
        ratio_case(cs, "ratio", ratio_arm(xt, yt), ratio_arm(xc, yc), ALPHAS[i % 3])
    # small ratio arms and a constant ratio (x = k·y: variance 0).
    for nt, nc in [(2, 2), (3, 2), (2, 3), (3, 3)]:
        yt, yc = rng.integers(1, 5, nt).astype(float), rng.integers(1, 5, nc).astype(float)
        ratio_case(cs, "small", ratio_arm(yt * 2.5 + rng.normal(0, 1, nt), yt),
                   ratio_arm(yc * 2.5 + rng.normal(0, 1, nc), yc), 0.05)
    y = rng.integers(1, 9, 500).astype(float)
    ratio_case(cs, "zero_var_one", ratio_arm(3 * y, y),
               ratio_arm(np.round(rng.normal(3, 1, 400), 2) * y[:400], y[:400]), 0.05,
               note="treatment ratio constant per user")
    ratio_case(cs, "both_zero_var", ratio_arm(3 * y, y), ratio_arm(2 * y[:300], y[:300]), 0.05,
               note="both ratios constant per user")
    ratio_case(cs, "negative", ratio_arm(rng.normal(-2, 1, 300), rng.normal(-1, 0.3, 300)),
               ratio_arm(rng.normal(-2.1, 1, 280), rng.normal(-1, 0.3, 280)), 0.05,
               note="negative numerator and denominator sums")
    # ratio_zero_den: Σy = 0 in an arm.
    ratio_case(cs, "ratio_zero_den", ratio_arm(np.zeros(10), np.zeros(10)),
               ratio_arm(rng.normal(1, 1, 10), np.ones(10)), 0.05, note="no denominators in treatment")
    ratio_case(cs, "ratio_zero_den", ratio_arm(rng.normal(1, 1, 10), np.ones(10)),
               ratio_arm(np.ones(6), np.array([1.0, -1, 2, -2, 0.5, -0.5])), 0.05,
               note="denominators cancel in control")
    ratio_case(cs, "ratio_zero_den", ratio_arm_from_sums(5, 3, 9, 0, 0, 0),
               ratio_arm_from_sums(5, 2, 4, 4, 6, 3), 0.1)
    # huge ratio from sums.
    for i in range(6):
        n = int(rng.choice([10**7, 10**8]))
        my, mx = 2.0, 5.0
        vy, vx, cxy = 3.0, 40.0, 8.0
        t = ratio_arm_from_sums(n, mx * n * 1.001 ** i, (vx * (n - 1) + (mx * 1.001 ** i) ** 2 * n), my * n,
                                (vy * (n - 1) + my * my * n), (cxy * (n - 1) + mx * 1.001 ** i * my * n))
        c = ratio_arm_from_sums(n, mx * n, (vx * (n - 1) + mx * mx * n), my * n,
                                (vy * (n - 1) + my * my * n), (cxy * (n - 1) + mx * my * n))
        ratio_case(cs, "huge", t, c, ALPHAS[i % 3])

    # events: NormalDiff with Poisson variance; proportions with p(1 − p).
    for i in range(30):
        nt, nc = int(rng.integers(10, 10**6)), int(rng.integers(10, 10**6))
        rate = float(rng.choice([0.001, 0.05, 1.3, 4.0]))
        xt = int(rng.poisson(rate * nt * float(rng.uniform(0.95, 1.05))))
        xc = int(rng.poisson(rate * nc))
        cs.add("events", normal=normal_block(events_arm(xt, nt), events_arm(xc, nc), ALPHAS[i % 3], "events"))
    for xt, nt, xc, nc in [(0, 100, 5, 100), (5, 100, 0, 100), (0, 100, 0, 100),
                           (10**9, 10**8, 10**9 + 50_000, 10**8), (1, 1, 3, 1)]:
        cs.add("events", normal=normal_block(events_arm(xt, nt), events_arm(xc, nc), 0.05, "events"))
    for i in range(15):
        nt, nc = int(rng.integers(20, 10**6)), int(rng.integers(20, 10**6))
        p = float(rng.uniform(0.01, 0.6))
        xt, xc = int(rng.binomial(nt, p * 1.02)), int(rng.binomial(nc, p))
        cs.add("events", normal=normal_block(prop_arm(xt, nt), prop_arm(xc, nc), ALPHAS[i % 3], "proportion"))
    cs.add("events", normal=normal_block(prop_arm(0, 50), prop_arm(0, 60), 0.05, "proportion"),
           note="both rates 0")
    cs.add("events", normal=normal_block(prop_arm(3, 50), prop_arm(0, 60), 0.05, "proportion"),
           note="control rate 0")

    # srm: k = 2..10 arms, equal and unequal splits, with and without drift.
    for i in range(54):
        k = 2 + i % 9
        if i % 3 == 0:
            shares = [1.0] * k
        else:
            shares = list(rng.choice([1, 2, 3, 5, 10], k).astype(float))
        total = int(rng.integers(100, 10**8))
        probs = np.array(shares) / sum(shares)
        drift = float(rng.choice([0, 0, 0.001, 0.01, 0.05]))
        probs = probs * (1 + drift * rng.normal(size=k))
        probs = np.abs(probs) / np.abs(probs).sum()
        users = rng.multinomial(total, probs)
        cs.add("srm", srm=srm_block(users, shares))
    cs.add("srm", srm=srm_block([0, 0, 0], [1, 1, 1]), note="no users")
    cs.add("srm", srm=srm_block([1000] * 10, [1] * 10), note="perfect split")
    cs.add("srm", srm=srm_block([500_000, 520_000, 480_000], [1, 1, 1]), note="p underflows")
    cs.add("srm", srm=srm_block([50_600, 49_400], [0.5, 0.5]), note="two arms, as v1")
    cs.add("srm", srm=srm_block([10**8, 10**8 - 30_000, 10**8 + 12_000, 10**8], [0.25] * 4))

    # bonf: Bonferroni over m = 1..9 comparisons.
    for i in range(30):
        m = 1 + i % 9
        pv = list(rng.choice([1e-12, 0.0001, 0.003, 0.01, 0.02, 0.04, 0.2, 0.5, 0.9, 1.0], m))
        pv = [float(p) * float(rng.uniform(0.5, 1.0)) if p < 1 else 1.0 for p in pv]
        cs.add("bonf", bonf=bonf_block(pv))
    cs.add("bonf", bonf=bonf_block([0.0, 1.0, 0.5]), note="bounds")

    # power and mde: users per arm for a relative mde, and back.
    for i in range(30):
        mu = float(rng.choice([1.0, 10.0, 55.0, 0.02]))
        varc = (mu * float(rng.uniform(0.3, 3))) ** 2
        vart = varc * float(rng.uniform(0.7, 1.5))
        mde = float(rng.choice([0.01, 0.02, 0.05, 0.1, -0.05]))
        wc, wt = [(0.5, 0.5), (0.7, 0.3), (0.2, 0.8), (1, 1), (2, 1)][i % 5]
        cs.add("power", power=power_block(varc, vart, mde * mu, ALPHAS[i % 3], wc, wt))
    cs.add("power", power=power_block(4.0, 4.0, 0.0, 0.05, 1, 1), note="delta 0")
    cs.add("power", power=power_block(0.0, 0.0, 1.0, 0.05, 1, 1), note="variances 0")
    cs.add("power", power=power_block(0.0, 4.0, 1.0, 0.05, 1, 1), note="control variance 0")
    for i in range(20):
        nc = int(rng.integers(10, 10**7))
        nt = int(nc * rng.uniform(0.3, 3)) + 1
        v = float(rng.uniform(0.1, 100))
        cs.add("mde", mde=mde_block(v, v * float(rng.uniform(0.5, 2)), nc, nt, ALPHAS[i % 3]))
    cs.add("mde", mde=mde_block(0.0, 0.0, 100, 100, 0.05), note="variances 0")
    for i in range(24):
        pc = float(rng.choice([0.001, 0.01, 0.05, 0.3, 0.5, 0.9, 0.999]))
        nc = int(rng.integers(50, 10**7))
        nt = int(nc * rng.uniform(0.5, 2)) + 1
        cs.add("mde", pmde=pmde_block(pc, nc, nt, ALPHAS[i % 3], i % 2 == 0))
    for pc, nc, nt, inc in [(0.0, 1000, 1000, True), (0.0, 1000, 1000, False),
                            (1.0, 1000, 1000, False), (1.0, 1000, 1000, True),
                            (0.999, 100, 100, True), (0.001, 20, 20, False)]:
        cs.add("mde", pmde=pmde_block(pc, nc, nt, 0.05, inc), note="edge of [0, 1]")

    # studentt: the t tail and quantile on a grid of ν, t and α.
    for nu in [1, 1.5, 2, 3.7, 10, 29.5, 100, 999, 1000, 4321.5, 99_999, 100_000,
               3e6, 2e8, 1e10]:
        for t in [1e-6, 0.3, 0.66, 0.68, 1.0, 2.0, 4.5, 12.0, 37.0]:
            cs.add("studentt", studentt=studentt_block(nu, t=t))
        for a in [0.1, 0.05, 0.01, 0.05 / 9, 1e-6]:
            cs.add("studentt", studentt=studentt_block(nu, alpha=a))

    out = {
        "generator": "testdata/stats/generate_v2.py",
        "versions": {"scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__,
                     "numpy": np.__version__,
                     "mpmath": mp.__version__},
        "seed": SEED,
        "count": len(cs.cases),
        "cases": cs.cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors_v2.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")
    print("wrote %d cases to %s: %s" % (len(cs.cases), path,
                                        json.dumps(cs.count, sort_keys=True)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference vectors for the planning calculator (docs/statistics.md#power, before data
exists): the users per arm a planned experiment needs to detect plan.mde
at plan.baseline with 80% power, two-sided at α′ = α/(k − 1), and the days
they take at plan.daily_users.

Run with the system Python (scipy 1.10.1, statsmodels 0.13.5):

    /usr/bin/python3 testdata/planning/generate.py

It writes testdata/planning/vectors.json next to itself (fixed seed,
sorted keys). For each case:

  p1          the target: baseline·(1 + mde) for desired increase,
              baseline·(1 − mde) for decrease (|mde|).
  nc, nt      the closed form of docs/statistics.md#power with scipy.stats.norm.ppf:
              proportion: n_c = (z_{1−α′/2} + z_{0.8})²(1 + w_c/w_t)/h²,
              h = 2 asin √p1 − 2 asin √p_c (Cohen's h);
              mean / events: n_c = (z_{1−α′/2} + z_{0.8})²·σ²(1 + w_c/w_t)/δ²,
              δ = |mde|·|baseline|, σ = baseline_sd (events without it:
              σ² = baseline, Poisson); n_t = n_c·w_t/w_c.
  sm_nc       statsmodels NormalIndPower().solve_power(effect_size=|h| or
              δ/σ, alpha=α′, power=0.8, ratio=w_t/w_c): an independent
              solver, which adds the far tail (it differs by well under one
              user).
  days        ⌈max over both arms of ⌈n⌉/(daily_users·w)⌉ when daily_users
              is set (users_per_arm, when set, replaces ⌈n⌉), else null.
  underpowered  users_per_arm < ⌈max(n_c, n_t)⌉ (plan_underpowered).
"""

import json
import math
import os

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize


def case(rng, i):
    kind = ["proportion", "proportion", "mean", "events"][i % 4]
    k = [2, 2, 3, 4][rng.integers(4)]
    alpha = [0.05, 0.1, 0.01][rng.integers(3)]
    mde = float(rng.choice([0.01, 0.02, 0.05, 0.1, 0.2, -0.05]))
    desired = ["increase", "decrease"][rng.integers(2)]
    weights = [1.0] * k
    if rng.integers(2):
        weights = [float(w) for w in rng.choice([1, 2, 3, 5], k)]
    shares = [w / sum(weights) for w in weights]
    c = {"kind": kind, "arms": k, "alpha": alpha, "mde": mde, "desired": desired, "weights": weights}
    if kind == "proportion":
        base = float(rng.choice([0.02, 0.05, 0.1, 0.12, 0.3, 0.5]))
    elif kind == "mean":
        base = float(rng.choice([10.0, 25.0, 55.0]))
        c["baseline_sd"] = float(base * rng.uniform(0.5, 3))
    else:
        base = float(rng.choice([0.3, 1.2, 4.0]))
        if rng.integers(2):
            c["baseline_sd"] = float(math.sqrt(base) * rng.uniform(1, 2))
    c["baseline"] = base
    c["daily_users"] = int(rng.choice([0, 1000, 5000, 40000]))
    c["users_per_arm"] = int(rng.choice([0, 0, 5000, 50000]))
    size = abs(mde)
    p1 = base * (1 + size) if desired == "increase" else base * (1 - size)
    ap = alpha / (k - 1)
    z = stats.norm.ppf(1 - ap / 2) + stats.norm.ppf(0.8)
    # the comparison whose arm needs the most days: with a free split, the
    # arm with the smallest share (index ≥ 1)
    ti = 1 + int(np.argmin(shares[1:]))
    wc, wt = shares[0], shares[ti]
    if kind == "proportion":
        h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(base))
        nc = z * z * (1 + wc / wt) / (h * h)
        es = abs(proportion_effectsize(p1, base))
    else:
        var = c.get("baseline_sd", 0) ** 2 if "baseline_sd" in c else base
        d = size * abs(base)
        nc = z * z * var * (1 + wc / wt) / (d * d)
        es = d / math.sqrt(var)
    nt = nc * wt / wc
    sm = NormalIndPower().solve_power(effect_size=es, nobs1=None, alpha=ap, power=0.8, ratio=wt / wc)
    c.update(target=p1, alpha_prime=ap, arm_index=ti, nc=nc, nt=nt, sm_nc=float(sm))
    need = math.ceil(max(nc, nt))
    c["underpowered"] = bool(c["users_per_arm"]) and c["users_per_arm"] < need
    req = [c["users_per_arm"]] * 2 if c["users_per_arm"] else [math.ceil(nc), math.ceil(nt)]
    if c["daily_users"]:
        c["days"] = max(math.ceil(req[0] / (c["daily_users"] * wc)), math.ceil(req[1] / (c["daily_users"] * wt)))
    else:
        c["days"] = None
    return c


def main():
    rng = np.random.default_rng(20261202)
    cases = [case(rng, i) for i in range(48)]
    out = {
        "generator": "testdata/planning/generate.py",
        "versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()

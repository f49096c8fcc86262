#!/usr/bin/env python3
"""Reference vectors for segments (docs/statistics.md#segments): segmented
experiments as a CSV holds them (one row per arm and cell), with what the
analysis must find in them.

Run with the system Python (scipy 1.10.1, statsmodels 0.13.5, numpy):

    /usr/bin/python3 testdata/stats/generate_segments.py

It writes testdata/stats/vectors_segments.json next to itself; the output is
deterministic (fixed seed, sorted keys). internal/analysis's
TestSegmentVectors loads each case's CSV and YAML through the loader and
checks the analysis against it. Each case names its category:

  srm        segments whose arms are split unevenly in some values (a skewed
             cell), so that some segment_srm warnings are raised and most are not;
  effects    an effect on the primary and a harm to the error rate in some
             segment values, for the q-values and the guardrail states;
  arms       three or four arms with an unequal split:, so that every
             comparison has its own families;
  columns    three segment columns, the most allowed.

References, for every case:

  totals     each arm's users and sums over the cells (numpy sums of the
             values as written), and the total SRM:
             scipy.stats.chisquare(users, f_exp=total*shares);
  per value  for each value of each segment column, the users per arm summed
             over the other columns, its SRM by scipy.stats.chisquare the same
             way, and whether it raises segment_srm: p < 0.001 / (values in
             the column) (Bonferroni over the column's values);
  p-values   the primary revenue (mean): scipy.stats.ttest_ind_from_stats(
             equal_var=False) on the value's moments; the error-rate guardrail
             (proportion): Fisher's exact test (scipy.stats.fisher_exact) when
             Cochran's rule finds an expected cell below 5, else the pooled
             z-test (statsmodels proportions_ztest); the latency guardrail
             (mean): Welch as the primary;
  q-values   statsmodels.stats.multitest.multipletests(p, method='fdr_bh')[1]
             over the comparison's family: for the primary, every value of
             every segment column; for the guardrails, every value and
             guardrail together;
  worsened   the error guardrail is worsened in a value when it rose, q < 0.05
             and the rise is beyond 0.001, compared in exact fractions.
"""

import math
import os
import sys
import warnings
from fractions import Fraction
from itertools import product

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_methods as gm  # noqa: E402  (the vector file writer)

warnings.simplefilter("ignore")

SEED = 20261202
ALPHA = 0.05
SRM_WARNING = 0.001
WORSENED = Fraction(1, 1000)

COLUMNS = ["platform", "country", "plan"]
VALUES = {
    "platform": ["android", "ios", "web", "desktop app", "tv", "watch", "car", "kiosk"],
    "country": ["de", "fr", "us", "br", "in", "jp"],
    "plan": ["free", "pro", "team", "enterprise"],
}


def welch_p(n1, s1, q1, n2, s2, q2):
    m1, m2 = s1 / n1, s2 / n2
    v1 = (q1 - s1 * s1 / n1) / (n1 - 1)
    v2 = (q2 - s2 * s2 / n2) / (n2 - 1)
    return float(stats.ttest_ind_from_stats(m1, math.sqrt(v1), n1, m2, math.sqrt(v2), n2, equal_var=False).pvalue)


def proportion_p(xt, nt, xc, nc):
    n, x = nt + nc, xt + xc
    if min(nt, nc) * min(x, n - x) < 5 * n:  # Cochran's rule, as the tool applies it
        return float(stats.fisher_exact([[xt, nt - xt], [xc, nc - xc]])[1]), "fisher"
    return float(proportions_ztest([xt, xc], [nt, nc])[1]), "z"


def moments(rng, n, mean, sd):
    """A cell's Σx and Σx² written to 2 decimals, with Σx² ≥ (Σx)²/n."""
    s = round(n * mean + rng.normal(0, sd * math.sqrt(n)), 2)
    var = sd * sd * rng.uniform(0.8, 1.25)
    q = round((n - 1) * var + s * s / n + 1, 2)
    return f"{s:.2f}", f"{q:.2f}"


def make_case(rng, category, idx):
    if category == "columns":
        cols = COLUMNS[:]
    else:
        cols = list(rng.choice(COLUMNS, size=int(rng.integers(1, 3)), replace=False))
    counts = []
    for c in cols:
        hi = len(VALUES[c])
        counts.append(int(rng.integers(2, min(hi, 4 if len(cols) == 3 else 8) + 1)))
    values = [list(VALUES[c][:k]) for c, k in zip(cols, counts)]
    k = int(rng.integers(3, 5)) if category == "arms" else 2
    arms = ["control"] + [f"v{i}" for i in range(1, k)]
    if category == "arms":
        weights = [int(w) for w in rng.integers(1, 5, size=k)]
    else:
        weights = [1] * k
    shares = [w / sum(weights) for w in weights]
    cells = list(product(*values))
    skewed = {cells[int(rng.integers(len(cells)))]} if category == "srm" else set()
    harmed = {cells[int(rng.integers(len(cells)))]} if category in ("effects", "arms") else set()
    rows = []
    for cell in cells:
        base = int(rng.integers(60, 2500))
        for a, arm in enumerate(arms):
            n = max(2, int(round(base * shares[a] * k * rng.uniform(0.97, 1.03))))
            if cell in skewed and a == 1:
                n = int(n * rng.uniform(0.6, 0.85))
            lift = 1.0 + (0.06 if a > 0 and category != "srm" else 0.0)
            rs, rq = moments(rng, n, 25.0 * lift, 30.0)
            ls, lq = moments(rng, n, 400.0, 120.0)
            rate = 0.01 + (0.025 if cell in harmed and a == 1 else 0.0)
            err = int(rng.binomial(n, rate))
            rows.append({"arm": arm, "cell": list(cell), "users": n, "errors": err,
                         "revenue_sum": rs, "revenue_sum_squares": rq,
                         "latency_sum": ls, "latency_sum_squares": lq})
    return cols, values, arms, weights, shares, rows


def chisq(users, shares):
    total = sum(users)
    r = stats.chisquare(users, f_exp=[total * s for s in shares])
    return float(r.statistic), float(r.pvalue), len(users) - 1


def expected(cols, values, arms, shares, rows):
    def sums(rs):
        out = []
        for arm in arms:
            mine = [r for r in rs if r["arm"] == arm]
            out.append({
                "users": int(sum(r["users"] for r in mine)),
                "errors": int(sum(r["errors"] for r in mine)),
                "revenue_sum": float(np.sum([float(r["revenue_sum"]) for r in mine])),
                "revenue_sum_squares": float(np.sum([float(r["revenue_sum_squares"]) for r in mine])),
                "latency_sum": float(np.sum([float(r["latency_sum"]) for r in mine])),
                "latency_sum_squares": float(np.sum([float(r["latency_sum_squares"]) for r in mine])),
            })
        return out

    totals = sums(rows)
    chi2, p, df = chisq([t["users"] for t in totals], shares)
    segs = []
    for ci, col in enumerate(cols):
        for v in values[ci]:
            s = sums([r for r in rows if r["cell"][ci] == v])
            chi2s, ps, dfs = chisq([a["users"] for a in s], shares)
            segs.append({"column": col, "value": v, "users": [a["users"] for a in s], "chi2": chi2s,
                         "p_value": ps, "df": dfs, "segment_srm": ps < SRM_WARNING / len(values[ci]),
                         "sums": s})
    comps = []
    for a in range(1, len(arms)):
        prim, guards = [], []
        for s in segs:
            t, c = s["sums"][a], s["sums"][0]
            prim.append(welch_p(t["users"], t["revenue_sum"], t["revenue_sum_squares"],
                                c["users"], c["revenue_sum"], c["revenue_sum_squares"]))
            pe, test = proportion_p(t["errors"], t["users"], c["errors"], c["users"])
            pl = welch_p(t["users"], t["latency_sum"], t["latency_sum_squares"],
                         c["users"], c["latency_sum"], c["latency_sum_squares"])
            guards.append((pe, test, pl))
        qp = multipletests(np.array(prim), method="fdr_bh")[1]
        flat = [x for g in guards for x in (g[0], g[2])]
        qg = multipletests(np.array(flat), method="fdr_bh")[1]
        per = []
        for i, s in enumerate(segs):
            t, c = s["sums"][a], s["sums"][0]
            rise = Fraction(t["errors"], t["users"]) - Fraction(c["errors"], c["users"])
            q_err = float(qg[2 * i])
            per.append({"primary_p": prim[i], "primary_q": float(qp[i]),
                        "errors_p": guards[i][0], "errors_test": guards[i][1], "errors_q": q_err,
                        "latency_p": guards[i][2], "latency_q": float(qg[2 * i + 1]),
                        "errors_worsened": bool(rise > 0 and q_err < ALPHA and rise > WORSENED)})
        comps.append({"arm": arms[a], "segments": per})
    for s in segs:
        del s["sums"]
    return {"totals": totals, "srm": {"chi2": chi2, "p_value": p, "df": df}, "segments": segs,
            "comparisons": comps, "blocked": p < 1e-5}


def yaml_of(cols, arms, weights):
    y = "name: vector\nsegments: [" + ", ".join(cols) + "]\n"
    if len(set(weights)) > 1:
        y += "split: {" + ", ".join(f"{a}: {w}" for a, w in zip(arms, weights)) + "}\n"
    y += ("primary: {metric: revenue, type: mean}\n"
          "guardrails:\n"
          "  - {metric: errors, type: proportion, desired: decrease, worsened_threshold: 0.001, severe_threshold: 0.003}\n"
          "  - {metric: latency, type: mean, desired: decrease}\n"
          "thresholds: {min_users: 1}\n")
    return y


def csv_of(cols, rows):
    head = ["variant"] + cols + ["users", "errors", "revenue_sum", "revenue_sum_squares", "latency_sum", "latency_sum_squares"]
    out = [",".join(head)]
    for r in rows:
        out.append(",".join([r["arm"]] + r["cell"] + [str(r["users"]), str(r["errors"]), r["revenue_sum"],
                                                      r["revenue_sum_squares"], r["latency_sum"], r["latency_sum_squares"]]))
    return "\n".join(out) + "\n"


def main():
    rng = np.random.default_rng(SEED)
    plan = [("srm", 35), ("effects", 35), ("arms", 25), ("columns", 15)]
    cases = []
    for cat, n in plan:
        i = 0
        while i < n:
            cols, values, arms, weights, shares, rows = make_case(rng, cat, i)
            exp = expected(cols, values, arms, shares, rows)
            if exp["blocked"]:
                continue  # a severe total SRM analyzes nothing; draw again
            cases.append({"id": f"{cat}_{i:02d}", "category": cat, "yaml": yaml_of(cols, arms, weights),
                          "csv": csv_of(cols, rows), "expected": exp})
            i += 1
    path = gm.write_vectors("vectors_segments.json", cases)
    flags = sum(s["segment_srm"] for c in cases for s in c["expected"]["segments"])
    worse = sum(x["errors_worsened"] for c in cases for cp in c["expected"]["comparisons"] for x in cp["segments"])
    nseg = sum(len(c["expected"]["segments"]) for c in cases)
    print(f"wrote {len(cases)} cases, {nseg} segment values ({flags} segment_srm, {worse} worsened) to {path}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A hindsight bound on what a linear forecaster can reach in the autoscaling forecast cells.

Issue 15 asks, on every trace and horizon of `pnpm bench autoscaling`, for a forecast MAE of at most
0.95 × the better of last-value and seasonal-naive. This script asks the question backwards: for a
set of features computable at origin t from y[..t] only, what is the smallest MAE that ANY fixed
linear combination of them (plus a constant) reaches on the bench's origins? It fits the
least-absolute-deviations (LAD) coefficients on all origins of the cell (in-sample, in hindsight:
the fit sees every target it is scored on), which is exactly that minimum. If it stays above
0.95 × better, no fixed-coefficient linear forecaster on those inputs can meet the cell.

The in-sample minimum is optimistic (it overfits; with p coefficients LAD interpolates p targets
exactly), which is fine for a lower bound. For honesty it also reports:
  - a 2-fold out-of-sample figure: the origins are split into days (288 origins each, counted
    from the first origin), fitted on the even days and scored on the odd ones and vice versa,
    every origin scored once (no embargo between folds, so overlapping h-step windows make it
    somewhat optimistic too);
  - a per-day in-sample figure: coefficients refitted on each day of origins separately, in
    hindsight, a bound for forecasters whose coefficients may change once a day;
  - with --rolling, on the three missing cells: what a forecaster fitted on the past only
    reaches (expanding-window refits every 3 hours from one day after the first origin), next to
    the ensemble on the same origins (the bench's evaluation with a two-day warm-up).

Input: the JSON of `export-forecast-traces.ts` (the traces exactly as the bench sees them, and the
bench's own baseline MAEs, which this script reproduces and checks to 3 decimals).

    python3 bench/analysis/forecast-bound.py /tmp/forecast-traces.json --rolling \
        --json bench/analysis/results/forecast-bound-2026-12-04.json

LAD is solved exactly as a linear programme (scipy.optimize.linprog, HiGHS):
min (1/n) Σ (u⁺ + u⁻) subject to X β + u⁺ − u⁻ = y, u± ≥ 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from scipy.optimize import linprog, minimize
from scipy.sparse import csr_matrix, hstack, identity

SEASON = 288  # one day of 300 s steps
MEAN_WINDOWS = [3, 6, 12, 24, 36, 72, 144, 288]
MEDIAN_WINDOWS = [3, 6, 12, 24, 36, 72, 144, 288]
SEASONAL_DAYS = [1, 2, 3]  # four days of trace: at most three earlier days for any target
SEASONAL_OFFSETS = [-2, -1, 0, 1, 2]
ROLLING_REFIT = 36  # origins between refits of the rolling figure (3 hours)
TIE = 1e-4  # tie-breaking L1 weight of the out-of-sample fits (see lad)
LABELS = {1: "5 min", 6: "30 min", 12: "1 h", 72: "6 h"}
MISSING = {("google-2019-cpu", 1), ("google-2019-cpu", 6), ("azure-2019-cpu", 72)}


def lad(X: np.ndarray, y: np.ndarray, tie: float = 0.0) -> tuple[np.ndarray, float]:
    """Exact LAD fit: the coefficients minimising mean |y − Xβ| and that minimum. With `tie` > 0,
    `tie` × Σ|β_j|·max|X_j| (constant excluded) is added to the objective: a tie-breaker for the
    out-of-sample fits, where a column can be collinear with others on the fitted days but not on
    the scored ones, and the LP would otherwise pick any vertex of the tied coefficients. The
    returned MAE is the plain mean absolute residual."""
    n, p = X.shape
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    Xs = X / scale
    penalty = np.full(p, tie)
    penalty[0] = 0.0  # the constant column
    # Variables: β⁺, β⁻ (p each), u⁺, u⁻ (n each); Xs(β⁺ − β⁻) + u⁺ − u⁻ = y.
    c = np.concatenate([penalty, penalty, np.full(2 * n, 1.0 / n)])
    Xc = csr_matrix(Xs)
    A = hstack([Xc, -Xc, identity(n, format="csr"), -identity(n, format="csr")], format="csr")
    res = linprog(c, A_eq=A, b_eq=y, bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"linprog failed: {res.message}")
    beta = (res.x[:p] - res.x[p : 2 * p]) / scale
    return beta, float(np.mean(np.abs(y - X @ beta)))


def seasonal_index(base: np.ndarray, k: int) -> np.ndarray:
    """Index base − 288·k; where that is before the trace, the oldest earlier day that exists
    (base − 288·⌊base/288⌋), and slot 0 where no earlier day exists. Only the past is used."""
    available = base // SEASON
    k_eff = np.minimum(k, available)
    index = base - SEASON * k_eff
    index[available == 0] = 0
    return index


class Features:
    """Feature columns at the origins `t` for horizon `h`, every one from y[..t] only."""

    def __init__(self, y: np.ndarray, t: np.ndarray, h: int):
        self.y, self.t, self.h = y, t, h
        cumsum = np.concatenate([[0.0], np.cumsum(y)])
        self.means = {w: (cumsum[t + 1] - cumsum[t + 1 - w]) / w for w in MEAN_WINDOWS}
        self.medians = {}
        for w in MEDIAN_WINDOWS:
            windows = np.lib.stride_tricks.sliding_window_view(y, w)
            self.medians[w] = np.median(windows[t - w + 1], axis=1)

    def lags(self, count: int) -> list[np.ndarray]:
        assert np.all(self.t - count + 1 >= 0)
        return [self.y[self.t - j] for j in range(count)]

    def smooth(self) -> list[np.ndarray]:
        return [self.means[w] for w in MEAN_WINDOWS] + [self.medians[w] for w in MEDIAN_WINDOWS]

    def seasonal(self) -> list[np.ndarray]:
        """The day-earlier target and its neighbours y(t+h−288+o), o = −2..2; the mean
        over every earlier day available at that origin (k = 1..⌊(t+h+o)/288⌋, at most 3) of
        y(t+h−288k+o); the daily-lag differences y(t) − y(t−288) and y(t) − mean_k y(t−288k).
        Pooling the available days keeps each column's meaning the same on every day of origins
        (the first day of origins has one earlier day, the last has up to three)."""
        y, t, h = self.y, self.t, self.h
        columns = []
        for offset in SEASONAL_OFFSETS:
            columns.append(y[seasonal_index(t + h + offset, 1)])
        for offset in SEASONAL_OFFSETS:
            stacked = self._days(t + h + offset)
            columns.append(np.nanmean(stacked, axis=0))
        columns.append(y[t] - y[seasonal_index(t.copy(), 1)])
        columns.append(y[t] - np.nanmean(self._days(t.copy()), axis=0))
        return columns

    def seasonal_per_day(self) -> list[np.ndarray]:
        """y(t+h−288k+o) for k = 2, 3 separately (o = −2..2), and y(t) − y(t−288k); where day k is
        not available yet, the oldest available earlier day stands in (so the column's meaning
        changes between days of origins: in-sample only, see the notes)."""
        y, t, h = self.y, self.t, self.h
        columns = []
        for k in SEASONAL_DAYS[1:]:
            for offset in SEASONAL_OFFSETS:
                columns.append(y[seasonal_index(t + h + offset, k)])
            columns.append(y[t] - y[seasonal_index(t.copy(), k)])
        return columns

    def _days(self, base: np.ndarray) -> np.ndarray:
        """Rows k = 1..3 of y(base − 288k), NaN where that day is before the trace (k = 1 falls
        back to slot 0, as seasonal_index does)."""
        rows = []
        for k in SEASONAL_DAYS:
            index = base - SEASON * k
            row = self.y[np.maximum(index, 0)].astype(float)
            if k > 1:
                row[index < 0] = np.nan
            rows.append(row)
        stacked = np.vstack(rows)
        assert np.all(np.maximum(base - SEASON, 0) <= self.t)
        return stacked

    def scratch21(self) -> list[np.ndarray]:
        """An approximation of the earlier, uncommitted scratch study's 21 regressors (its
        windows were not recorded): 12 lagged one-step changes, distances of y(t) from 5 moving
        means and 2 moving medians, 2 seasonal (the day-earlier target and daily-lag difference),
        for the target y(t+h) − y(t) (the coefficient on y(t) fixed at 1)."""
        y, t = self.y, self.t
        changes = [y[t - j] - y[t - j - 1] for j in range(12)]
        means = [y[t] - self.means[w] for w in (3, 12, 36, 144, 288)]
        medians = [y[t] - self.medians[w] for w in (12, 36)]
        season = [
            y[seasonal_index(t + self.h, 1)] - y[t],
            y[t] - y[seasonal_index(t.copy(), 1)],
        ]
        return changes + means + medians + season


# Feature sets of growing size (the constant is added to every one).
FEATURE_SETS: list[tuple[str, object]] = [
    ("last value", lambda f: f.lags(1)),
    ("last value + seasonal", lambda f: f.lags(1) + f.seasonal()),
    ("lags 12", lambda f: f.lags(12)),
    ("scratch-like 21 (changes)", None),  # special: target is the change, see scratch21()
    ("lags 24", lambda f: f.lags(24)),
    ("lags 12 + smooth", lambda f: f.lags(12) + f.smooth()),
    ("lags 12 + smooth + seasonal", lambda f: f.lags(12) + f.smooth() + f.seasonal()),
    ("lags 48", lambda f: f.lags(48)),
    ("lags 24 + smooth + seasonal", lambda f: f.lags(24) + f.smooth() + f.seasonal()),
    ("lags 48 + smooth + seasonal", lambda f: f.lags(48) + f.smooth() + f.seasonal()),
    ("lags 96", lambda f: f.lags(96)),
    ("lags 96 + smooth + seasonal", lambda f: f.lags(96) + f.smooth() + f.seasonal()),
    (
        "lags 96 + smooth + seasonal + per-day k",
        lambda f: f.lags(96) + f.smooth() + f.seasonal() + f.seasonal_per_day(),
    ),
]


def origins(grid: np.ndarray, filled: np.ndarray, h: int, warmup: int) -> np.ndarray:
    """The bench's origins for horizon h (evaluateForecasterRolling): every t with t + 1 ≥ warm-up,
    target t + h inside the trace and not a gap fill, and t + h − 288·⌈h/288⌉ ≥ 0."""
    n = len(grid)
    lag = SEASON * -(-h // SEASON)
    t = np.arange(warmup - 1, n - h)
    keep = (~filled[t + h]) & (t + h - lag >= 0)
    return t[keep]


def design(features: Features, name: str, build) -> tuple[np.ndarray, np.ndarray]:
    """(X with a constant column, target offset): the fit is of y(t+h) − offset on X."""
    t = features.t
    if build is None:
        columns = features.scratch21()
        offset = features.y[t]
    else:
        columns = build(features)
        offset = np.zeros(len(t))
    X = np.column_stack([np.ones(len(t))] + columns)
    return X, offset


def rolling_fit(X, z, t, h, target, y, late) -> dict:
    """What a forecaster fitted on the past only reaches: from one day after the first origin,
    every ROLLING_REFIT origins, refit on every earlier origin whose target is known by then
    (s + h ≤ τ; expanding window, same tie-breaker as the 2-fold fits) and forecast the next
    ROLLING_REFIT origins. Scored ÷ the better baseline on the same (later) origins."""
    scored = t >= t[0] + SEASON
    errors = np.empty(len(t))
    for start in range(int(np.argmax(scored)), len(t), ROLLING_REFIT):
        tau = t[start]
        fit = t + h <= tau
        beta, _ = lad(X[fit], z[fit], tie=TIE)
        block = slice(start, min(start + ROLLING_REFIT, len(t)))
        errors[block] = np.abs(z[block] - X[block] @ beta)
    lag = SEASON * -(-h // SEASON)
    ts = t[scored]
    lv = float(np.mean(np.abs(target[scored] - y[ts])))
    sn = float(np.mean(np.abs(target[scored] - y[ts + h - lag])))
    # The same origins as the bench's evaluation with a two-day warm-up: check, and compare.
    if (int(scored.sum()), round(lv, 3), round(sn, 3)) != (
        late["count"],
        round(late["lastValueMeanAbsoluteError"], 3),
        round(late["seasonalNaiveMeanAbsoluteError"], 3),
    ):
        raise SystemExit(f"h={h}: rolling origins do not reproduce the bench's from-second-day scores")
    better = min(lv, sn)
    return {
        "origins": int(scored.sum()),
        "ratio": float(errors[scored].mean() / better),
        "ensembleRatio": late["meanAbsoluteError"] / better,
    }


def score_cell(y, filled, h, warmup, bench, sets, late=None, verbose=True):
    t = origins(y, filled, h, warmup)
    target = y[t + h]
    lag = SEASON * -(-h // SEASON)
    lv = float(np.mean(np.abs(target - y[t])))
    sn = float(np.mean(np.abs(target - y[t + h - lag])))
    better = min(lv, sn)
    check = {
        "count": (len(t), bench["count"]),
        "lastValueMAE": (round(lv, 3), round(bench["lastValueMeanAbsoluteError"], 3)),
        "seasonalNaiveMAE": (round(sn, 3), round(bench["seasonalNaiveMeanAbsoluteError"], 3)),
    }
    for key, (ours, theirs) in check.items():
        if ours != theirs:
            raise SystemExit(f"h={h}: {key} {ours} does not reproduce the bench's {theirs}")
    features = Features(y, t, h)
    day = (t - t[0]) // SEASON
    rows = []
    for name, build in FEATURE_SETS:
        if sets is not None and name not in sets:
            continue
        start = time.time()
        X, offset = design(features, name, build)
        z = target - offset
        _, mae_in = lad(X, z)
        if X.shape[1] == 2:  # check the LP against a direct minimisation on the smallest set
            direct = minimize(
                lambda b: np.mean(np.abs(z - X @ b)),
                [0.0, 1.0],
                method="Nelder-Mead",
                options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 20000},
            )
            if abs(direct.fun - mae_in) > 1e-6 * mae_in:
                raise SystemExit(f"{name}: linprog {mae_in} vs Nelder-Mead {direct.fun}")
        # Sanity: the in-sample minimum cannot exceed a baseline the set spans.
        if build is not None and mae_in > lv + 1e-9:
            raise SystemExit(f"{name}: in-sample {mae_in} above last-value {lv}")
        if "seasonal" in name and mae_in > sn + 1e-9:
            raise SystemExit(f"{name}: in-sample {mae_in} above seasonal-naive {sn}")
        # 2-fold out of sample: fit on even days, score odd days, and vice versa.
        errors = np.empty(len(t))
        for fold in (0, 1):
            fit = day % 2 == fold
            beta, _ = lad(X[fit], z[fit], tie=TIE)
            errors[~fit] = np.abs(z[~fit] - X[~fit] @ beta)
        mae_out = float(errors.mean())
        # Per-day in-sample: coefficients refitted on each day of origins.
        per_day = 0.0
        for d in np.unique(day):
            rows_d = day == d
            if rows_d.sum() <= X.shape[1]:
                per_day = float("nan")  # fewer origins than coefficients: interpolates, skip
                break
            _, m = lad(X[rows_d], z[rows_d])
            per_day += m * rows_d.sum()
        per_day = per_day / len(t) if per_day == per_day else None
        rolling = None if late is None else rolling_fit(X, z, t, h, target, y, late)
        rolling_ratio = None if rolling is None else rolling["ratio"]
        row = {
            "featureSet": name,
            "regressors": X.shape[1] - 1,
            "coefficients": X.shape[1],
            "inSampleMAE": mae_in,
            "inSampleRatio": mae_in / better,
            "dfAdjustedRatio": mae_in * len(t) / (len(t) - X.shape[1]) / better,
            "outOfSample2FoldMAE": mae_out,
            "outOfSample2FoldRatio": mae_out / better,
            "perDayInSampleRatio": None if per_day is None else per_day / better,
            "rollingRatio": rolling_ratio,
            "rollingOrigins": None if rolling is None else rolling["origins"],
            "rollingEnsembleRatio": None if rolling is None else rolling["ensembleRatio"],
            "seconds": round(time.time() - start, 2),
        }
        rows.append(row)
        if verbose:
            pd = "  n/a" if row["perDayInSampleRatio"] is None else f"{row['perDayInSampleRatio']:.3f}"
            print(
                f"    {name:30s} p={X.shape[1]:4d}  in-sample {row['inSampleRatio']:.3f}  "
                f"×n/(n−p) {row['dfAdjustedRatio']:.3f}  2-fold {row['outOfSample2FoldRatio']:.3f}  "
                f"per-day {pd}"
                + ("" if rolling_ratio is None else f"  rolling {rolling_ratio:.3f}")
                + f"  ({row['seconds']} s)",
                file=sys.stderr,
            )
    return {
        "horizonSteps": h,
        "origins": int(len(t)),
        "independentHSteps": round(len(t) / h, 1),
        "originDays": [int(d) for d in np.bincount(day)],
        "lastValueMAE": lv,
        "seasonalNaiveMAE": sn,
        "betterBaseline": "last-value" if lv <= sn else "seasonal-naive",
        "benchEnsembleRatio": bench["meanAbsoluteError"] / better,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("traces", help="JSON from export-forecast-traces.ts")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--only", help="cells, e.g. google-2019-cpu:1,azure-2019-cpu:72 (default: all 12)")
    parser.add_argument("--missing-only", action="store_true", help="only the three cells that miss")
    parser.add_argument(
        "--rolling",
        action="store_true",
        help="also the rolling (expanding-window, refit every 3 h) figure on the three missing cells",
    )
    parser.add_argument("--sets", help="comma-separated feature-set names (default: all)")
    args = parser.parse_args()
    data = json.load(open(args.traces))
    only = None
    if args.only:
        only = {(cell.split(":")[0], int(cell.split(":")[1])) for cell in args.only.split(",")}
    if args.missing_only:
        only = MISSING
    sets = None if args.sets is None else set(args.sets.split(","))
    started = time.time()
    results = []
    for trace in data["traces"]:
        y = np.asarray(trace["grid"], dtype=float)
        filled = np.asarray(trace["filled"], dtype=bool)
        assert trace["stepSeconds"] == 300
        for bench in trace["bench"]:
            h = bench["horizonSteps"]
            if only is not None and (trace["name"], h) not in only:
                continue
            print(f"{trace['name']} {LABELS[h]}", file=sys.stderr)
            late = None
            if args.rolling and (trace["name"], h) in MISSING:
                late = next(b for b in trace["benchFromSecondDay"] if b["horizonSteps"] == h)
            cell = score_cell(y, filled, h, data["warmupSteps"], bench, sets, late)
            cell["trace"] = trace["name"]
            cell["horizon"] = LABELS[h]
            cell["missingInBench"] = (trace["name"], h) in MISSING
            print(
                f"  origins {cell['origins']}, LV {cell['lastValueMAE']:.3f}, SN {cell['seasonalNaiveMAE']:.3f} "
                f"(bench: reproduced to 3 decimals), better {cell['betterBaseline']}, "
                f"bench ensemble {cell['benchEnsembleRatio']:.3f}",
                file=sys.stderr,
            )
            results.append(cell)
    elapsed = time.time() - started
    print(f"total {elapsed:.0f} s", file=sys.stderr)

    # Markdown tables: ratio to the better baseline.
    names = [name for name, _ in FEATURE_SETS if sets is None or name in sets]
    missing = [cell for cell in results if cell["missingInBench"]] or results
    print("Per feature set, on the cells that miss: in-sample / in-sample × n/(n−p) / 2-fold out of sample")
    print("(/ rolling, with --rolling)\n")
    header = " | ".join(f"{c['trace'].split('-')[0]} {c['horizon']}" for c in missing)
    print(f"| feature set | coef. | {header} |")
    print("| --- | --- | " + " | ".join("---" for _ in missing) + " |")
    for name in names:
        cells = []
        coef = ""
        for cell in missing:
            row = next(r for r in cell["rows"] if r["featureSet"] == name)
            coef = str(row["coefficients"])
            text = f"{row['inSampleRatio']:.3f} / {row['dfAdjustedRatio']:.3f} / {row['outOfSample2FoldRatio']:.3f}"
            if row["rollingRatio"] is not None:
                text += f" / {row['rollingRatio']:.3f}"
            cells.append(text)
        print(f"| {name} | {coef} | " + " | ".join(cells) + " |")
    ensemble = []
    for cell in missing:
        row = cell["rows"][0]
        text = f"{cell['benchEnsembleRatio']:.3f}"
        if row.get("rollingEnsembleRatio") is not None:
            text += f" (rolling origins: {row['rollingEnsembleRatio']:.3f})"
        ensemble.append(text)
    print("| the ensemble (bench) | | " + " | ".join(ensemble) + " |")
    print("\nEvery cell: bench ensemble; in-sample with 2 coefficients (constant + last value) and with")
    print("the most; the lowest 2-fold out-of-sample ratio over the feature sets (and which)\n")
    print("| cell | origins | better | ensemble | in-sample, 2 coef. | in-sample, most coef. | best 2-fold |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for cell in results:
        rows = cell["rows"]
        best = min(rows, key=lambda r: r["outOfSample2FoldRatio"])
        print(
            f"| {cell['trace'].split('-')[0]} {cell['horizon']} | {cell['origins']} | {cell['betterBaseline']} | "
            f"{cell['benchEnsembleRatio']:.3f} | {rows[0]['inSampleRatio']:.3f} | "
            f"{rows[-1]['inSampleRatio']:.3f} ({rows[-1]['coefficients']}) | "
            f"{best['outOfSample2FoldRatio']:.3f} ({best['featureSet']}) |"
        )
    if args.json:
        out = {
            "date": "2026-12-04",
            "command": " ".join(["python3", *sys.argv]),
            "season": SEASON,
            "warmupSteps": data["warmupSteps"],
            "meanWindows": MEAN_WINDOWS,
            "medianWindows": MEDIAN_WINDOWS,
            "seasonalDays": SEASONAL_DAYS,
            "seasonalOffsets": SEASONAL_OFFSETS,
            "solver": "scipy.optimize.linprog(method='highs'), exact LAD",
            "scipy": __import__("scipy").__version__,
            "numpy": np.__version__,
            "seconds": round(elapsed, 1),
            "cells": results,
        }
        with open(args.json, "w") as handle:
            json.dump(out, handle, indent=1)
            handle.write("\n")


if __name__ == "__main__":
    main()

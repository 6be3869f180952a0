#!/usr/bin/env python3
"""Nonlinear forecasters in hindsight and on the past, for the autoscaling forecast cells.

Issue 15 asks, on every trace and horizon of `pnpm bench autoscaling`, for a forecast MAE of at most
0.95 × the better of last-value and seasonal-naive. `forecast-bound.py` showed what LINEAR
least-absolute-deviations forecasters reach (in hindsight, 2-fold, and fitted on the past). This
script asks the same of nonlinear ones, on the same origins, targets and baselines (imported from
forecast-bound.py, and checked against the bench's to 3 decimals):

  - gbm: gradient-boosted regression trees with absolute-error loss (Friedman's LAD_TreeBoost:
    each tree is a least-squares tree on the signs of the residuals, its leaves the median
    residual), histogram splits on 32 quantile bins of the training rows, 50 % row subsampling per
    tree (fixed seed), at least 20 rows per leaf, shrinkage 0.1. The depth (2 or 3) and the
    number of rounds (1..300) are chosen on an inner, time-ordered validation split of the
    training origins only (see inner_split).
  - knn: analog forecasting: the median future change of the k nearest training origins on
    standardized features of the recent window (the last w values relative to y(t), optionally
    with the level y(t) and the day-earlier change y(t+h−288) − y(t)); w, the variant and k are
    chosen on the same inner split.
  - mean(gbm, knn): the average of the two forecasts (= the median of two).
  - qrf (with --qrf, by default on the three missing cells only: it is the slowest): a quantile
    regression forest (Meinshausen 2006) on the gbm features: 40 bootstrapped least-squares trees,
    a third of the features tried per split, depth ≤ 12, forecast = the weighted median of the
    training changes sharing a leaf; the minimum leaf size (5, 20 or 50) chosen on the inner split.
    And median(gbm, knn, qrf).

Every model predicts the change y(t+h) − y(t) from features computable at origin t from y[..t]:
the feature families of forecast-bound.py (lags, moving means and medians, seasonal lags), each
taken relative to y(t), plus y(t) itself.

Figures, each ÷ the better baseline on the same origins:
  - rolling (all cells): from one day after the first origin, every 36 origins (3 hours), refit
    (hyperparameters included, on the inner split) on every earlier origin whose target is known
    (s + h ≤ τ, expanding window) and forecast the next 36; scored on the later origins, which
    are forecast-bound.py's rolling origins and the bench's evaluation with a two-day warm-up
    (checked: counts and baselines to 3 decimals). With a 90 % moving-block bootstrap interval
    (blocks of 72 origins) for the sampling noise of the ratio on those origins.
  - whole cell: the bench's cell (every origin) when the ensemble forecasts the first day of
    origins (which the rolling fits cannot: nothing to fit on) and the model the rest. Exact
    arithmetic on the bench's aggregates: the ensemble forecasts in observe(), so its errors on
    the later origins are the same with a one-day and a two-day warm-up.
  - in-sample (hindsight): gbm (and qrf) fitted on all origins and scored on them, once with the
    hyperparameters chosen on the inner split of all origins ("in-sample") and once at full
    capacity (depth 3, shrinkage 0.1, 300 rounds: "max"); knn with neighbours from every other
    origin of the trace, before or after (|s − t| > h, so the neighbour's target window does not
    contain the origin's), with w, variant and k the best over the grid in hindsight. These
    overfit and are bounds only in the optimistic sense: above 0.95 they say the model family
    on these inputs cannot meet the cell even when it sees the answers.

    python3 bench/analysis/forecast-bound-nonlinear.py /tmp/forecast-traces.json \
        --json bench/analysis/results/forecast-bound-nonlinear-2026-12-04.json

numpy and scipy only (scipy is used by forecast-bound.py's imports). Deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")  # one core: the machine is shared

import numpy as np  # noqa: E402

_spec = importlib.util.spec_from_file_location("forecast_bound", Path(__file__).with_name("forecast-bound.py"))
fb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fb)

SEASON = fb.SEASON
ROLLING_REFIT = fb.ROLLING_REFIT
LABELS = fb.LABELS
MISSING = fb.MISSING

# Fixed before any run (not tuned on the scored targets).
BINS = 32
MIN_LEAF = 20
SUBSAMPLE = 0.5
MAX_ROUNDS = 300
DEPTHS = (2, 3)
SHRINKAGES = (0.1,)
KNN_WINDOWS = (6, 12, 24, 48)
KNN_KS = (5, 10, 20, 40, 80)
QRF_TREES = 40
QRF_MIN_LEAVES = (5, 20, 50)
QRF_MAX_DEPTH = 12
BOOTSTRAP_BLOCK = 72  # origins (6 hours) per block of the moving-block bootstrap
BOOTSTRAP_SAMPLES = 2000
VALIDATION_FRACTION = 0.25  # the last quarter of the training origins (in time) validates
SEED = 15


# ---------------------------------------------------------------------------------------------
# Data: origins, targets, baselines (forecast-bound.py's), checked against the bench.


def cell_data(y, filled, h, warmup, bench, late):
    t = fb.origins(y, filled, h, warmup)
    target = y[t + h]
    lag = SEASON * -(-h // SEASON)
    lv = float(np.mean(np.abs(target - y[t])))
    sn = float(np.mean(np.abs(target - y[t + h - lag])))
    check = {
        "count": (len(t), bench["count"]),
        "lastValueMAE": (round(lv, 3), round(bench["lastValueMeanAbsoluteError"], 3)),
        "seasonalNaiveMAE": (round(sn, 3), round(bench["seasonalNaiveMeanAbsoluteError"], 3)),
    }
    for key, (ours, theirs) in check.items():
        if ours != theirs:
            raise SystemExit(f"h={h}: {key} {ours} does not reproduce the bench's {theirs}")
    scored = t >= t[0] + SEASON
    ts = t[scored]
    lv_late = float(np.mean(np.abs(target[scored] - y[ts])))
    sn_late = float(np.mean(np.abs(target[scored] - y[ts + h - lag])))
    if (int(scored.sum()), round(lv_late, 3), round(sn_late, 3)) != (
        late["count"],
        round(late["lastValueMeanAbsoluteError"], 3),
        round(late["seasonalNaiveMeanAbsoluteError"], 3),
    ):
        raise SystemExit(f"h={h}: rolling origins do not reproduce the bench's from-second-day scores")
    return {
        "t": t,
        "target": target,
        "lv": lv,
        "sn": sn,
        "better": min(lv, sn),
        "scored": scored,
        "lvLate": lv_late,
        "snLate": sn_late,
        "betterLate": min(lv_late, sn_late),
        "ensembleLate": late["meanAbsoluteError"],
        "ensemble": bench["meanAbsoluteError"],
        "y": y,
    }


def tree_features(y, t, h) -> tuple[np.ndarray, list[str]]:
    """forecast-bound.py's families (lags 24 + smooth + seasonal), relative to y(t), plus y(t)."""
    f = fb.Features(y, t, h)
    now = y[t]
    names, cols = ["y(t)"], [now]
    for j in range(1, 24):
        names.append(f"y(t)-y(t-{j})")
        cols.append(now - y[t - j])
    for w in fb.MEAN_WINDOWS:
        names.append(f"y(t)-mean{w}")
        cols.append(now - f.means[w])
    for w in fb.MEDIAN_WINDOWS:
        names.append(f"y(t)-median{w}")
        cols.append(now - f.medians[w])
    seasonal = f.seasonal()  # 5 day-earlier values, 5 pooled-day means, 2 daily-lag differences
    for i, col in enumerate(seasonal[:10]):
        names.append(f"seasonal{i}-y(t)")
        cols.append(col - now)
    names += ["y(t)-y(t-288)", "y(t)-meandays(t)"]
    cols += seasonal[10:]
    return np.column_stack(cols), names


def knn_features(y, t, h) -> dict:
    """Per window w: the last w values relative to y(t) (w − 1 columns), and the extra columns
    (level y(t), day-earlier change y(t+h−288) − y(t))."""
    windows = {w: np.column_stack([y[t - j] - y[t] for j in range(1, w)]) for w in KNN_WINDOWS}
    extra = np.column_stack([y[t], y[fb.seasonal_index(t + h, 1)] - y[t]])
    return {"windows": windows, "extra": extra}


def inner_split(t: np.ndarray, h: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time-ordered split of the training rows: the last VALIDATION_FRACTION validate; the inner
    training rows are those whose target is known before the first validation origin (s + h ≤ v0)."""
    order = rows[np.argsort(t[rows], kind="stable")]
    n_val = max(1, int(round(VALIDATION_FRACTION * len(order))))
    val = order[-n_val:]
    v0 = t[val[0]]
    train = order[:-n_val]
    train = train[t[train] + h <= v0]
    return train, val


# ---------------------------------------------------------------------------------------------
# Gradient boosting with absolute-error loss (histogram trees, numpy).


def bin_edges(X: np.ndarray) -> list[np.ndarray]:
    qs = np.linspace(0, 1, BINS + 1)[1:-1]
    return [np.unique(np.quantile(X[:, j], qs)) for j in range(X.shape[1])]


def apply_bins(X: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    return np.column_stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(edges)]).astype(np.int64)


class Tree:
    __slots__ = ("feature", "threshold", "left", "right", "value", "depth")

    def __init__(self):
        self.feature, self.threshold, self.left, self.right, self.value = [], [], [], [], []
        self.depth = 0

    def node(self):
        self.feature.append(0)
        self.threshold.append(0)
        self.left.append(-1)
        self.right.append(-1)
        self.value.append(0.0)
        return len(self.feature) - 1

    def freeze(self):
        for name in ("feature", "threshold", "left", "right"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        self.value = np.asarray(self.value)

    def leaves(self, Xb: np.ndarray) -> np.ndarray:
        node = np.zeros(len(Xb), dtype=np.int64)
        rows = np.arange(len(Xb))
        for _ in range(self.depth):
            internal = self.left[node] >= 0
            go_left = Xb[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(internal, np.where(go_left, self.left[node], self.right[node]), node)
        return node


def grow(Xb, g, r, rows, depth, offsets, tree, level=0):
    """Least-squares split on g (the signs of the residuals), leaf value = median of r."""
    me = tree.node()
    n = len(rows)
    tree.depth = max(tree.depth, level)
    if level < depth and n >= 2 * MIN_LEAF:
        p = Xb.shape[1]
        flat = (Xb[rows] + offsets).ravel()
        count = np.bincount(flat, minlength=p * BINS).reshape(p, BINS)
        total = np.bincount(flat, weights=np.repeat(g[rows], p), minlength=p * BINS).reshape(p, BINS)
        nl = np.cumsum(count, axis=1)[:, :-1]
        sl = np.cumsum(total, axis=1)[:, :-1]
        s = g[rows].sum()
        nr = n - nl
        sr = s - sl
        ok = (nl >= MIN_LEAF) & (nr >= MIN_LEAF)
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(ok, sl * sl / nl + sr * sr / nr - s * s / n, -np.inf)
        best = int(np.argmax(gain))
        if np.isfinite(gain.flat[best]) and gain.flat[best] > 1e-12:
            f, b = divmod(best, BINS - 1)
            tree.feature[me] = f
            tree.threshold[me] = b
            go_left = Xb[rows, f] <= b
            tree.left[me] = grow(Xb, g, r, rows[go_left], depth, offsets, tree, level + 1)
            tree.right[me] = grow(Xb, g, r, rows[~go_left], depth, offsets, tree, level + 1)
            return me
    tree.value[me] = float(np.median(r[rows]))
    return me


def gbm_fit(Xb, z, depth, shrink, rounds, Xb_eval=None):
    """Boost `rounds` trees on (Xb, z). Returns (initial value, trees, eval predictions per round
    as an array rounds × n_eval, or None)."""
    rng = np.random.default_rng(SEED)
    n = len(z)
    offsets = np.arange(Xb.shape[1]) * BINS
    f0 = float(np.median(z))
    F = np.full(n, f0)
    trees = []
    curve = None
    if Xb_eval is not None:
        curve = np.empty((rounds, len(Xb_eval)))
        Fe = np.full(len(Xb_eval), f0)
    m = max(2 * MIN_LEAF, int(SUBSAMPLE * n))
    for i in range(rounds):
        r = z - F
        g = np.sign(r)
        rows = np.sort(rng.choice(n, size=min(m, n), replace=False))
        tree = Tree()
        grow(Xb, g, r, rows, depth, offsets, tree)
        tree.freeze()
        F += shrink * tree.value[tree.leaves(Xb)]
        if Xb_eval is not None:
            Fe = Fe + shrink * tree.value[tree.leaves(Xb_eval)]
            curve[i] = Fe
        trees.append(tree)
    return f0, trees, curve


def gbm_predict(model, Xb):
    f0, trees, shrink = model
    out = np.full(len(Xb), f0)
    for tree in trees:
        out += shrink * tree.value[tree.leaves(Xb)]
    return out


def gbm_select(X, z, t, h, rows):
    """Depth, shrinkage and rounds on the inner split of `rows` (MAE on the validation rows)."""
    train, val = inner_split(t, h, rows)
    edges = bin_edges(X[train])
    Xb_train, Xb_val = apply_bins(X[train], edges), apply_bins(X[val], edges)
    best = None
    for depth in DEPTHS:
        for shrink in SHRINKAGES:
            _, _, curve = gbm_fit(Xb_train, z[train], depth, shrink, MAX_ROUNDS, Xb_val)
            mae = np.mean(np.abs(curve - z[val]), axis=1)
            k = int(np.argmin(mae))
            if best is None or mae[k] < best[0]:
                best = (float(mae[k]), depth, shrink, k + 1)
    return {"validationMAE": best[0], "depth": best[1], "shrinkage": best[2], "rounds": best[3]}


def gbm_fit_predict(X, z, rows, eval_rows, params):
    edges = bin_edges(X[rows])
    Xb = apply_bins(X[rows], edges)
    f0, trees, _ = gbm_fit(Xb, z[rows], params["depth"], params["shrinkage"], params["rounds"])
    return gbm_predict((f0, trees, params["shrinkage"]), apply_bins(X[eval_rows], edges))


# ---------------------------------------------------------------------------------------------
# k-nearest-neighbour analogs.


def knn_matrix(kf, w, variant):
    X = kf["windows"][w]
    return X if variant == "window" else np.column_stack([X, kf["extra"]])


def knn_sorted(X, z, ref_rows, query_rows, exclude=None):
    """Targets of the reference rows sorted by standardized distance from each query row."""
    sd = X[ref_rows].std(axis=0)
    sd[sd == 0] = 1.0
    mu = X[ref_rows].mean(axis=0)
    R = (X[ref_rows] - mu) / sd
    Q = (X[query_rows] - mu) / sd
    d = (Q * Q).sum(1)[:, None] + (R * R).sum(1)[None, :] - 2 * Q @ R.T
    if exclude is not None:
        d = np.where(exclude, np.inf, d)
    order = np.argsort(d, axis=1, kind="stable")
    zs = z[ref_rows][order]
    valid = np.take_along_axis(np.isfinite(d), order, axis=1)
    return zs, valid


def knn_predict_sorted(zs, valid, k):
    if valid.all():
        return np.median(zs[:, :k], axis=1)
    out = np.empty(len(zs))
    for i in range(len(zs)):
        out[i] = np.median(zs[i][valid[i]][:k])
    return out


def knn_configs():
    return [(w, v, k) for w in KNN_WINDOWS for v in ("window", "window+level+seasonal") for k in KNN_KS]


def knn_select(kf, z, t, h, rows):
    train, val = inner_split(t, h, rows)
    best = None
    for w in KNN_WINDOWS:
        for variant in ("window", "window+level+seasonal"):
            zs, valid = knn_sorted(knn_matrix(kf, w, variant), z, train, val)
            for k in KNN_KS:
                if k > len(train):
                    continue
                mae = float(np.mean(np.abs(knn_predict_sorted(zs, valid, k) - z[val])))
                if best is None or mae < best[0]:
                    best = (mae, w, variant, k)
    return {"validationMAE": best[0], "window": best[1], "variant": best[2], "k": best[3]}


def knn_fit_predict(kf, z, rows, eval_rows, params):
    zs, valid = knn_sorted(knn_matrix(kf, params["window"], params["variant"]), z, rows, eval_rows)
    return knn_predict_sorted(zs, valid, params["k"])



# ---------------------------------------------------------------------------------------------
# Quantile regression forest (Meinshausen 2006): bagged least-squares trees with random feature
# subsets, forecast = the weighted median of the training targets sharing a leaf with the origin.


def rf_grow(Xb, z, rows, min_leaf, mtry, rng, tree, level=0):
    me = tree.node()
    n = len(rows)
    tree.depth = max(tree.depth, level)
    if n >= 2 * min_leaf and level < QRF_MAX_DEPTH:
        p = Xb.shape[1]
        feats = np.sort(rng.choice(p, size=mtry, replace=False))
        offsets = np.arange(mtry) * BINS
        flat = (Xb[np.ix_(rows, feats)] + offsets).ravel()
        count = np.bincount(flat, minlength=mtry * BINS).reshape(mtry, BINS)
        total = np.bincount(flat, weights=np.repeat(z[rows], mtry), minlength=mtry * BINS).reshape(mtry, BINS)
        nl = np.cumsum(count, axis=1)[:, :-1]
        sl = np.cumsum(total, axis=1)[:, :-1]
        s = z[rows].sum()
        nr = n - nl
        sr = s - sl
        ok = (nl >= min_leaf) & (nr >= min_leaf)
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(ok, sl * sl / nl + sr * sr / nr - s * s / n, -np.inf)
        best = int(np.argmax(gain))
        if np.isfinite(gain.flat[best]) and gain.flat[best] > 1e-12:
            j, b = divmod(best, BINS - 1)
            f = int(feats[j])
            tree.feature[me] = f
            tree.threshold[me] = b
            go_left = Xb[rows, f] <= b
            tree.left[me] = rf_grow(Xb, z, rows[go_left], min_leaf, mtry, rng, tree, level + 1)
            tree.right[me] = rf_grow(Xb, z, rows[~go_left], min_leaf, mtry, rng, tree, level + 1)
    return me


def qrf_fit_predict(X, z, rows, eval_rows_list, min_leaf):
    """Fit on `rows`; return the weighted-median forecast for each array of eval rows."""
    rng = np.random.default_rng(SEED)
    edges = bin_edges(X[rows])
    Xb = apply_bins(X[rows], edges)
    Xb_evals = [apply_bins(X[e], edges) for e in eval_rows_list]
    zt = z[rows]
    n = len(rows)
    mtry = max(1, X.shape[1] // 3)
    weights = [np.zeros((len(e), n)) for e in eval_rows_list]
    for _ in range(QRF_TREES):
        boot = np.sort(rng.choice(n, size=n, replace=True))
        tree = Tree()
        rf_grow(Xb, zt, boot, min_leaf, mtry, rng, tree)
        tree.freeze()
        leaf_train = tree.leaves(Xb)
        size = np.bincount(leaf_train, minlength=len(tree.value)).astype(float)
        for W, Xe in zip(weights, Xb_evals):
            leaf_eval = tree.leaves(Xe)
            W += (leaf_eval[:, None] == leaf_train[None, :]) / np.maximum(size[leaf_train], 1.0)[None, :]
    order = np.argsort(zt, kind="stable")
    out = []
    for W in weights:
        cum = np.cumsum(W[:, order], axis=1)
        idx = np.argmax(cum >= 0.5 * cum[:, -1:], axis=1)
        out.append(zt[order][idx])
    return out


def qrf_select(X, z, t, h, rows):
    train, val = inner_split(t, h, rows)
    best = None
    for min_leaf in QRF_MIN_LEAVES:
        (p,) = qrf_fit_predict(X, z, train, [val], min_leaf)
        mae = float(np.mean(np.abs(p - z[val])))
        if best is None or mae < best[0]:
            best = (mae, min_leaf)
    return {"validationMAE": best[0], "minLeaf": best[1]}

# ---------------------------------------------------------------------------------------------


def rolling(cell, X, kf, z, h, qrf):
    """Expanding-window refits every ROLLING_REFIT origins, from one day after the first origin."""
    t, scored = cell["t"], cell["scored"]
    models = ["gbm", "knn"] + (["qrf"] if qrf else [])
    pred = {m: np.full(len(t), np.nan) for m in models}
    chosen = {m: [] for m in models}
    start0 = int(np.argmax(scored))
    for start in range(start0, len(t), ROLLING_REFIT):
        tau = t[start]
        rows = np.nonzero(t + h <= tau)[0]
        block = np.arange(start, min(start + ROLLING_REFIT, len(t)))
        gp = gbm_select(X, z, t, h, rows)
        pred["gbm"][block] = gbm_fit_predict(X, z, rows, block, gp)
        kp = knn_select(kf, z, t, h, rows)
        pred["knn"][block] = knn_fit_predict(kf, z, rows, block, kp)
        chosen["gbm"].append({"origin": int(tau), "trainOrigins": int(len(rows)), **gp})
        chosen["knn"].append({"origin": int(tau), "trainOrigins": int(len(rows)), **kp})
        if qrf:
            qp = qrf_select(X, z, t, h, rows)
            pred["qrf"][block] = qrf_fit_predict(X, z, rows, [block], qp["minLeaf"])[0]
            chosen["qrf"].append({"origin": int(tau), "trainOrigins": int(len(rows)), **qp})
    pred["mean(gbm, knn)"] = (pred["gbm"] + pred["knn"]) / 2
    if qrf:
        pred["median(gbm, knn, qrf)"] = np.median(np.vstack([pred["gbm"], pred["knn"], pred["qrf"]]), axis=0)
    ratios = {name: float(np.mean(np.abs(z[scored] - p[scored])) / cell["betterLate"]) for name, p in pred.items()}
    # Sampling uncertainty of the rolling ratios: a moving-block bootstrap over the scored origins
    # (blocks of BOOTSTRAP_BLOCK consecutive origins, the ratio of the resampled error sums to the
    # better baseline's on the same resample), 5 % and 95 % quantiles.
    lag = SEASON * -(-h // SEASON)
    ts = t[scored]
    base = np.abs(cell["target"][scored] - (cell["y"][ts] if cell["lvLate"] <= cell["snLate"] else cell["y"][ts + h - lag]))
    m = len(ts)
    block = min(BOOTSTRAP_BLOCK, m)
    rng = np.random.default_rng(SEED)
    starts = rng.integers(0, m - block + 1, size=(BOOTSTRAP_SAMPLES, -(-m // block)))
    index = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(BOOTSTRAP_SAMPLES, -1)[:, :m]
    base_sums = base[index].sum(axis=1)
    intervals = {}
    for name, p in pred.items():
        err = np.abs(z[scored] - p[scored])
        boot = err[index].sum(axis=1) / base_sums
        intervals[name] = [float(np.quantile(boot, 0.05)), float(np.quantile(boot, 0.95))]
    # The bench's cell with the ensemble on the first day of origins (which the rolling fits cannot
    # score: nothing to fit on yet) and the model from then on. Exact from the bench's aggregates:
    # the ensemble forecasts in observe(), so its errors on the later origins are the same in the
    # evaluation with a one-day and with a two-day warm-up.
    n, n_late = len(t), int(scored.sum())
    first_day = cell["ensemble"] * n - cell["ensembleLate"] * n_late
    hybrid = {
        name: float((first_day + np.sum(np.abs(z[scored] - p[scored]))) / n / cell["better"]) for name, p in pred.items()
    }
    return ratios, intervals, hybrid, chosen


def hindsight(cell, X, kf, z, h, qrf):
    t = cell["t"]
    rows = np.arange(len(t))
    out = {}
    # gbm: hyperparameters from the inner split of all origins, refit on all, scored on all.
    gp = gbm_select(X, z, t, h, rows)
    gbm_in = gbm_fit_predict(X, z, rows, rows, gp)
    out["gbm"] = float(np.mean(np.abs(z - gbm_in)) / cell["better"])
    full = {"depth": max(DEPTHS), "shrinkage": max(SHRINKAGES), "rounds": MAX_ROUNDS}
    gbm_max = gbm_fit_predict(X, z, rows, rows, full)
    out["gbm max"] = float(np.mean(np.abs(z - gbm_max)) / cell["better"])
    # knn: neighbours from every other origin with |s − t| > h; best configuration in hindsight.
    exclude = np.abs(t[:, None] - t[None, :]) <= h
    best = None
    for w in KNN_WINDOWS:
        for variant in ("window", "window+level+seasonal"):
            zs, valid = knn_sorted(knn_matrix(kf, w, variant), z, rows, rows, exclude)
            for k in KNN_KS:
                p = knn_predict_sorted(zs, valid, k)
                mae = float(np.mean(np.abs(z - p)))
                if best is None or mae < best[0]:
                    best = (mae, w, variant, k, p)
    out["knn"] = best[0] / cell["better"]
    out["mean(gbm, knn)"] = float(np.mean(np.abs(z - (gbm_in + best[4]) / 2)) / cell["better"])
    params = {"gbm": gp, "knn": {"window": best[1], "variant": best[2], "k": best[3]}}
    if qrf:
        # qrf: minimum leaf size from the inner split of all origins, fitted on all, scored on all.
        qp = qrf_select(X, z, t, h, rows)
        (qrf_in,) = qrf_fit_predict(X, z, rows, [rows], qp["minLeaf"])
        out["qrf"] = float(np.mean(np.abs(z - qrf_in)) / cell["better"])
        both = np.median(np.vstack([gbm_in, best[4], qrf_in]), axis=0)
        out["median(gbm, knn, qrf)"] = float(np.mean(np.abs(z - both)) / cell["better"])
        params["qrf"] = qp
    return out, params


def self_test() -> None:
    """Can the models find nonlinear structure where there is some? A synthetic four-day series
    on the bench's grid: a daily sine plus a threshold autoregression (x' = 0.95 x inside |x| < 1.5,
    0.2 x outside, Laplace noise). Rolling figures at 5 min for gbm, knn and the rolling LAD fit of
    forecast-bound.py on the last 12 values (the linear reference), and the true model's error
    (the noise), ÷ last-value on the same origins."""
    rng = np.random.default_rng(1)
    n = 4 * SEASON
    x = np.zeros(n)
    noise = rng.laplace(0, 0.5, n)
    for i in range(1, n):
        phi = 0.95 if abs(x[i - 1]) < 1.5 else 0.2
        x[i] = phi * x[i - 1] + noise[i]
    y = 50 + 5 * np.sin(2 * np.pi * np.arange(n) / SEASON) + x
    h = 1
    t = fb.origins(y, np.zeros(n, dtype=bool), h, SEASON)
    target = y[t + h]
    scored = t >= t[0] + SEASON
    lv = float(np.mean(np.abs(target[scored] - y[t[scored]])))
    cell = {"t": t, "scored": scored, "betterLate": lv}
    z = target - y[t]
    X, _ = tree_features(y, t, h)
    cell["ensemble"] = cell["ensembleLate"] = cell["better"] = lv  # unused here (no bench cell)
    cell.update({"target": target, "y": y, "lvLate": lv, "snLate": np.inf})
    roll, _, _, _ = rolling(cell, X, knn_features(y, t, h), z, h, qrf=False)
    features = fb.Features(y, t, h)
    Xl, offset = fb.design(features, "lags 12", lambda f: f.lags(12))
    late = {"count": int(scored.sum()), "lastValueMeanAbsoluteError": lv, "meanAbsoluteError": lv}
    late["seasonalNaiveMeanAbsoluteError"] = float(np.mean(np.abs(target[scored] - y[t[scored] + h - SEASON])))
    linear = fb.rolling_fit(Xl, target - offset, t, h, target, y, late)
    print(
        "self-test (threshold AR, 5 min, rolling ÷ last-value): "
        + ", ".join(f"{k} {v:.3f}" for k, v in roll.items())
        + f"; linear LAD on lags 12 {linear['ratio']:.3f}"
        + f"; the true model (error = the noise) {np.mean(np.abs(noise[t[scored] + h])) / lv:.3f}",
        file=sys.stderr,
    )


def main() -> None:
    global SEED
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("traces", help="JSON from export-forecast-traces.ts")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--only", help="cells, e.g. google-2019-cpu:1,azure-2019-cpu:72 (default: all 12)")
    parser.add_argument("--missing-only", action="store_true", help="only the three cells that miss")
    parser.add_argument(
        "--qrf",
        choices=("missing", "all", "none"),
        default="missing",
        help="where to run the (slower) quantile regression forest (default: the three missing cells)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"row and bootstrap sampling seed (default {SEED})")
    parser.add_argument("--self-test", action="store_true", help="only the synthetic check (see self_test)")
    args = parser.parse_args()
    SEED = args.seed
    if args.self_test:
        self_test()
        return
    data = json.load(open(args.traces))
    only = None
    if args.only:
        only = {(cell.split(":")[0], int(cell.split(":")[1])) for cell in args.only.split(",")}
    if args.missing_only:
        only = MISSING
    cells = []
    for trace in data["traces"]:
        for bench in trace["bench"]:
            key = (trace["name"], bench["horizonSteps"])
            if only is None or key in only:
                cells.append((key not in MISSING, trace, bench))
    cells.sort(key=lambda c: c[0])  # the three missing cells first (stable otherwise)
    started = time.time()
    results = []
    for _, trace, bench in cells:
        y = np.asarray(trace["grid"], dtype=float)
        filled = np.asarray(trace["filled"], dtype=bool)
        assert trace["stepSeconds"] == 300
        h = bench["horizonSteps"]
        late = next(b for b in trace["benchFromSecondDay"] if b["horizonSteps"] == h)
        t0 = time.time()
        cell = cell_data(y, filled, h, data["warmupSteps"], bench, late)
        t = cell["t"]
        z = cell["target"] - y[t]
        X, names = tree_features(y, t, h)
        kf = knn_features(y, t, h)
        label = f"{trace['name']} {LABELS[h]}"
        print(
            f"{label}: {len(t)} origins (LV {cell['lv']:.3f}, SN {cell['sn']:.3f}: the bench's), "
            f"rolling on {int(cell['scored'].sum())} (the bench's from-second-day origins), {X.shape[1]} tree features",
            file=sys.stderr,
            flush=True,
        )
        qrf = args.qrf == "all" or (args.qrf == "missing" and (trace["name"], h) in MISSING)
        ins, ins_params = hindsight(cell, X, kf, z, h, qrf)
        print(
            "  in-sample: " + ", ".join(f"{k} {v:.3f}" for k, v in ins.items()) + f"  ({time.time() - t0:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        roll, intervals, hybrid, chosen = rolling(cell, X, kf, z, h, qrf)
        ensemble_late = cell["ensembleLate"] / cell["betterLate"]
        print(
            "  rolling:   "
            + ", ".join(f"{k} {v:.3f} [{intervals[k][0]:.3f}, {intervals[k][1]:.3f}]" for k, v in roll.items())
            + f"; ensemble on these origins {ensemble_late:.3f}  ({time.time() - t0:.0f} s, total {time.time() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        print(
            "  whole cell, ensemble on the first day and the model after: "
            + ", ".join(f"{k} {v:.3f}" for k, v in hybrid.items())
            + f" (the ensemble throughout {bench['meanAbsoluteError'] / cell['better']:.3f})",
            file=sys.stderr,
            flush=True,
        )
        results.append(
            {
                "trace": trace["name"],
                "horizon": LABELS[h],
                "horizonSteps": h,
                "missingInBench": (trace["name"], h) in MISSING,
                "origins": int(len(t)),
                "rollingOrigins": int(cell["scored"].sum()),
                "lastValueMAE": cell["lv"],
                "seasonalNaiveMAE": cell["sn"],
                "betterBaseline": "last-value" if cell["lv"] <= cell["sn"] else "seasonal-naive",
                "benchEnsembleRatio": bench["meanAbsoluteError"] / cell["better"],
                "rollingLastValueMAE": cell["lvLate"],
                "rollingSeasonalNaiveMAE": cell["snLate"],
                "rollingEnsembleRatio": ensemble_late,
                "rollingRatio": roll,
                "rollingRatio90": intervals,
                "wholeCellEnsembleFirstDayRatio": hybrid,
                "inSampleRatio": ins,
                "inSampleParameters": ins_params,
                "rollingParameters": chosen,
                "seconds": round(time.time() - t0, 1),
            }
        )
    elapsed = time.time() - started
    print(f"total {elapsed:.0f} s", file=sys.stderr)

    models = ["gbm", "knn", "mean(gbm, knn)", "qrf", "median(gbm, knn, qrf)"]
    print("Ratio ÷ better: rolling (later origins) / in-sample (hindsight); gbm also at full capacity (max)\n")
    print("| cell | ensemble (rolling origins) | " + " | ".join(models) + " | gbm max, in-sample |")
    print("| --- | --- | " + " | ".join("---" for _ in models) + " | --- |")
    for c in results:
        mark = " !" if c["missingInBench"] else ""
        row = [f"{c['trace'].split('-')[0].capitalize()} {c['horizon']}{mark}"]
        row.append(f"{c['benchEnsembleRatio']:.3f} ({c['rollingEnsembleRatio']:.3f})")
        row += [
            f"{c['rollingRatio'][m]:.3f} / {c['inSampleRatio'][m]:.3f}" if m in c["rollingRatio"] else "–"
            for m in models
        ]
        row.append(f"{c['inSampleRatio']['gbm max']:.3f}")
        print("| " + " | ".join(row) + " |")
    print("\nWhole cell (÷ better on all origins): the ensemble on the first day of origins, the model after\n")
    print("| cell | ensemble throughout | " + " | ".join(models) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in models) + " |")
    for c in results:
        mark = " !" if c["missingInBench"] else ""
        row = [f"{c['trace'].split('-')[0].capitalize()} {c['horizon']}{mark}", f"{c['benchEnsembleRatio']:.3f}"]
        row += [f"{c['wholeCellEnsembleFirstDayRatio'][m]:.3f}" if m in c["rollingRatio"] else "–" for m in models]
        print("| " + " | ".join(row) + " |")
    if args.json:
        out = {
            "date": "2026-12-04",
            "command": " ".join(["python3", *sys.argv]),
            "gbm": {
                "loss": "absolute error (LAD_TreeBoost: least-squares trees on residual signs, median leaves)",
                "bins": BINS,
                "minLeaf": MIN_LEAF,
                "subsample": SUBSAMPLE,
                "maxRounds": MAX_ROUNDS,
                "depths": list(DEPTHS),
                "shrinkages": list(SHRINKAGES),
                "features": names,
            },
            "knn": {"windows": list(KNN_WINDOWS), "ks": list(KNN_KS), "variants": ["window", "window+level+seasonal"]},
            "validationFraction": VALIDATION_FRACTION,
            "bootstrap": {"blockOrigins": BOOTSTRAP_BLOCK, "samples": BOOTSTRAP_SAMPLES, "quantiles": [0.05, 0.95]},
            "rollingRefitOrigins": ROLLING_REFIT,
            "seed": SEED,
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "seconds": round(elapsed, 1),
            "cells": results,
        }
        with open(args.json, "w") as handle:
            json.dump(out, handle, indent=1)
            handle.write("\n")


if __name__ == "__main__":
    main()

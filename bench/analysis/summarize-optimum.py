#!/usr/bin/env python3
"""Per-cluster table and medians from migration-optimum.py's --json results.

For each cluster: the fewest migrations and the fewest GiB that reach brute force's final imbalance
T, as ratios of brute force's own (m_bf, g_bf). Where a solve stopped on its time budget the optimum
is bracketed: below by the MILP's dual bound (a true lower bound), above by the best plan known to
respect the same constraints (brute force when it respects capacity, the shipped planner when it
reached T). Medians of the lower and upper ends bracket the median optimum.

Then the goal test: "≤ 0.8× migrations and ≤ 0.8× GiB, median over clusters" (median as the bench
takes it, sorted[floor(N/2)]), checked optimistically: a cluster counts as able to meet a half unless
a lower bound rules it out, and both halves on one cluster only unless the joint solve rules it out.

Usage: python3 bench/analysis/summarize-optimum.py results-a.json [results-b.json ...]
"""

from __future__ import annotations

import json
import math
import sys


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else math.nan


def bracket(result: dict, key: str, exact_key: str, bound_key: str, known_upper: list[float]) -> tuple[float, float]:
    exact = result.get(exact_key)
    status = result.get(key)
    if status == "optimal" and exact is not None:
        return exact, exact
    lower = result.get(bound_key) or 0.0
    upper = min([value for value in known_upper if value is not None] or [math.inf])
    if exact is not None:
        upper = min(upper, exact)
    return lower, upper


def main() -> None:
    results = [entry for path in sys.argv[1:] for entry in json.load(open(path))]
    rows = []
    for r in results:
        m_bf, g_bf = r["m_bf"], r["g_bf"]
        planner_ok = r["planner_reached"]
        m_lo, m_hi = bracket(
            r, "moves_status", "moves_min", "moves_bound",
            [m_bf if r["bf_capacity_ok"] else None, r["planner_moves"] if planner_ok else None],
        )
        g_lo, g_hi = bracket(
            r, "gib_status", "gib_min", "gib_bound",
            [g_bf if r["bf_capacity_ok"] else None, r["planner_gib"] if planner_ok else None],
        )
        cap = math.floor(0.8 * m_bf + 1e-9)
        if r.get("joint_status") == "infeasible" or r.get("decide_status") == "infeasible":
            # A solve capped at 0.8 m_bf migrations had no solution at all: no plan with cap
            # migrations or fewer reaches T.
            m_lo = max(m_lo, cap + 1)
        if r.get("decide_status") in ("optimal", "feasible") and r.get("decide_moves") is not None:
            m_hi = min(m_hi, r["decide_moves"])
        # --feasibility: "infeasible" under a cap proves the optimum is above it; a plan found under a
        # cap is a feasible plan (of the model), so its migrations and GiB bound both optima above.
        if r.get("feas_moves_status") == "infeasible":
            m_lo = max(m_lo, cap + 1)
        if r.get("feas_gib_status") == "infeasible":
            g_lo = max(g_lo, 0.8 * g_bf + 1e-6)
        for what in ("moves", "gib", "joint"):
            if r.get(f"feas_{what}_status") == "feasible":
                m_hi = min(m_hi, r[f"feas_{what}_moves"])
                g_hi = min(g_hi, r[f"feas_{what}_gib"])
        joint_lower = r.get("joint_gib_bound")
        joint_impossible = (
            m_lo > cap
            or g_lo > 0.8 * g_bf + 1e-9
            or r.get("joint_status") == "infeasible"
            or r.get("feas_joint_status") == "infeasible"
            or (joint_lower is not None and joint_lower > 0.8 * g_bf + 1e-9)
        )
        joint_proven = r.get("feas_joint_status") == "feasible"
        rows.append(
            {
                "id": r["id"],
                "size": f'{r["nodes"]}n/{r["units"]}u',
                "m_bf": m_bf,
                "g_bf": g_bf,
                "m": (m_lo, m_hi),
                "g": (g_lo, g_hi),
                "m_ratio": (m_lo / m_bf, m_hi / m_bf),
                "g_ratio": (g_lo / g_bf, g_hi / g_bf),
                "planner": (r["planner_moves"] / m_bf, r["planner_gib"] / g_bf) if planner_ok else None,
                "moves_ok": m_lo <= cap,
                "gib_ok": g_lo <= 0.8 * g_bf + 1e-9,
                "joint_ok": not joint_impossible,
                "joint_proven": joint_proven,
            }
        )

    # The same cluster from several runs (e.g. --joint, then --decide): tightest brackets win.
    merged: dict[str, dict] = {}
    for row in rows:
        seen = merged.get(row["id"])
        if seen is None:
            merged[row["id"]] = row
            continue
        for key, base in (("m", "m_bf"), ("g", "g_bf")):
            lo = max(seen[key][0], row[key][0])
            hi = min(seen[key][1], row[key][1])
            seen[key] = (lo, hi)
            seen[f"{key}_ratio"] = (lo / seen[base], hi / seen[base])
        cap = math.floor(0.8 * seen["m_bf"] + 1e-9)
        seen["moves_ok"] = seen["m"][0] <= cap
        seen["gib_ok"] = seen["g"][0] <= 0.8 * seen["g_bf"] + 1e-9
        seen["joint_ok"] = seen["joint_ok"] and row["joint_ok"] and seen["moves_ok"] and seen["gib_ok"]
        seen["joint_proven"] = seen["joint_proven"] or row["joint_proven"]
    rows = list(merged.values())

    def joint_word(row: dict) -> str:
        if row["joint_proven"]:
            return "yes"
        return "possible" if row["joint_ok"] else "no"

    def span(pair: tuple[float, float], digits: int = 2) -> str:
        lo, hi = pair
        if abs(hi - lo) < 1e-9:
            return f"{lo:.{digits}f}"
        return f"{lo:.{digits}f}–{'∞' if math.isinf(hi) else f'{hi:.{digits}f}'}"

    print("| cluster | size | m_bf | min migrations (ratio) | g_bf GiB | min GiB (ratio) | ≤0.8× both on one plan |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        m_lo, m_hi = row["m"]
        g_lo, g_hi = row["g"]
        moves = f"{m_lo:.0f}" if m_lo == m_hi else f"{m_lo:.0f}–{m_hi:.0f}"
        gib = f"{g_lo:.0f}" if abs(g_lo - g_hi) < 0.5 else f"{g_lo:.0f}–{'?' if math.isinf(g_hi) else f'{g_hi:.0f}'}"
        print(
            f'| {row["id"]} | {row["size"]} | {row["m_bf"]} | {moves} ({span(row["m_ratio"])}) | {row["g_bf"]:.0f} | '
            f'{gib} ({span(row["g_ratio"])}) | {joint_word(row)} |'
        )
    n = len(rows)
    need = n // 2 + 1
    m_lo = median([row["m_ratio"][0] for row in rows])
    m_hi = median([row["m_ratio"][1] for row in rows])
    g_lo = median([row["g_ratio"][0] for row in rows])
    g_hi = median([row["g_ratio"][1] for row in rows])
    exact_m = sum(1 for row in rows if row["m"][0] == row["m"][1])
    exact_g = sum(1 for row in rows if abs(row["g"][0] - row["g"][1]) < 1e-9)
    print()
    print(f"{n} clusters ({exact_m} with the exact fewest migrations, {exact_g} with the exact fewest GiB)")
    print(f"median optimum / brute force: migrations {m_lo:.3f}–{m_hi:.3f}, GiB {g_lo:.3f}–{g_hi:.3f}")
    moves_ok = [row for row in rows if row["moves_ok"]]
    gib_ok = [row for row in rows if row["gib_ok"]]
    joint_ok = [row for row in rows if row["joint_ok"]]
    print(
        f"clusters where ≤ 0.8× is not ruled out: migrations {len(moves_ok)}/{n}, GiB {len(gib_ok)}/{n}, "
        f"both on one plan {len(joint_ok)}/{n}; a median ≤ 0.8× needs {need}"
    )
    for half, count in (("migrations", len(moves_ok)), ("GiB", len(gib_ok))):
        if count < need:
            print(f"a median ≤ 0.8× on {half} alone is impossible: at most {count} clusters can be ≤ 0.8×")
    # Decided where a plan within the cap is known (upper end) or ruled out (lower end).
    for half, key, limit in (
        ("migrations", "m", lambda row: math.floor(0.8 * row["m_bf"] + 1e-9)),
        ("GiB", "g", lambda row: 0.8 * row["g_bf"] + 1e-9),
    ):
        proven = sum(1 for row in rows if row[key][1] <= limit(row))
        ruled_out = sum(1 for row in rows if row[key][0] > limit(row))
        verdict = (
            "≤ 0.8× (decided)" if proven >= need else "> 0.8× (decided)" if n - ruled_out < need else "undecided"
        )
        print(f"{half}: ≤ 0.8× proven on {proven}/{n}, ruled out on {ruled_out}/{n}, open {n - proven - ruled_out}: median {verdict}")
    proven_joint = sum(1 for row in rows if row["joint_proven"])
    print(f"one plan ≤ 0.8× on both: proven on {proven_joint}/{n}, ruled out on {n - len(joint_ok)}/{n}")
    # Best case for a planner: jointly feasible clusters count for both halves, others for one.
    only_moves = sum(1 for row in rows if row["moves_ok"] and not row["joint_ok"])
    only_gib = sum(1 for row in rows if row["gib_ok"] and not row["joint_ok"])
    either = sum(1 for row in rows if row["moves_ok"] and row["gib_ok"] and not row["joint_ok"])
    a = len(joint_ok)
    reachable = a + only_moves >= need and a + only_gib >= need and 2 * a + only_moves + only_gib - either >= 2 * need
    print(
        "goal (both medians ≤ 0.8×) "
        + ("not ruled out by these bounds" if reachable else "UNREACHABLE on these clusters: no planner can meet both medians")
    )
    planner_rows = [row for row in rows if row["planner"] is not None]
    if planner_rows:
        print(
            f"shipped planner where it reaches T ({len(planner_rows)} clusters): migrations "
            f'{median([row["planner"][0] for row in planner_rows]):.3f}×, GiB {median([row["planner"][1] for row in planner_rows]):.3f}×'
        )


if __name__ == "__main__":
    main()

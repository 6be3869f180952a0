#!/usr/bin/env python3
"""Exact minimum migrations (and GiB) to reach CRS brute force's final imbalance.

Reads the JSON written by export-migration-clusters.ts and, per cluster, solves

  min  #migrations
  s.t. every unit (guest or affinity bundle) stays or goes to one target the shared placement
       rules allow; capacity (memory and CPU, as the planner/validator check it) on every node
       that receives a guest; strict anti-affinity; and imbalance <= T (brute force's final one),

then  min GiB moved  s.t. the same and #migrations <= floor(0.8 * m_bf).

Imbalance = CV(load) / sqrt(n-1) with load_j = w_cpu cpu_j/cores_j + w_mem mem_j/memtotal_j over
the active nodes. With mu = mean(load), imbalance <= T is the second-order cone
||L - mu 1||_2 <= K mu, K = T sqrt(n (n-1)), and L, mu are linear in the assignment. It is handled
by outer approximation: solve the MILP with the cuts found so far (a relaxation, so its optimum is a
lower bound), and if the solution violates the cone add the tangent cut g.(L - mu 1) <= K mu with
g = (L* - mu* 1)/||L* - mu* 1|| (valid because ||v|| >= g.v for a unit g; the cone is homogeneous,
so the cut supports it). Repeat until the MILP's solution satisfies the cone: then it is optimal.

Capacity is imposed on the final placement: in any sequential plan that passes the per-move check
(target usage + incoming demand <= limit), the node's final usage is at most the limit if it
received anything (the last arrival passed the check; later departures only lower it) and at most
its initial usage otherwise. So the final-placement model is a relaxation of every feasible ordered
plan, and its optimum is a lower bound on what any planner obeying the same rules can do. A guest
moved twice counts once here, which only lowers the bound further.

With --lifted-grid k the cone is also written in lifted form (per-node tangents, see
Model.enable_lifted), which approximates it from the first solve on; --feasibility moves,gib,joint
asks with a zero objective whether a plan within 0.8x brute force's migrations, GiB or both exists.
Identical units are ordered (the earlier one moves if the later one does) unless --no-symmetry.

Usage:  python3 bench/analysis/migration-optimum.py /tmp/clusters.json [--time-limit 60]
        [--max-iterations 200] [--only id,id] [--max-units 600] [--json out.json]
        [--lifted-grid 21] [--feasibility moves,gib,joint --decide-budget 60]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, vstack

GIB = 2.0**30


class Model:
    """The assignment variables and the linear maps from them to loads, capacity and cost."""

    def __init__(self, cluster: dict):
        self.cluster = cluster
        nodes = cluster["nodes"]
        units = cluster["units"]
        w = cluster["weights"]
        self.active = [j for j, node in enumerate(nodes) if node["active"]]
        self.row = {j: r for r, j in enumerate(self.active)}
        n = len(self.active)
        self.n = n
        self.T = cluster["bruteForce"]["imbalanceAfter"]
        # Tolerance: the bench counts a level as reached at T + 1e-9.
        self.K = (self.T + 1e-9) * math.sqrt(n * (n - 1))

        def load_of(node: dict, cpu: float, mem: float) -> float:
            c = w["cpu"] * cpu / node["cores"] if node["cores"] > 0 else 0.0
            m = w["memory"] * mem / node["memTotal"] if node["memTotal"] > 0 else 0.0
            return c + m

        self.L0 = np.array([load_of(nodes[j], nodes[j]["cpu"], nodes[j]["mem"]) for j in self.active])
        self.vars: list[tuple[int, int]] = []
        for u, unit in enumerate(units):
            for j in unit["allowed"]:
                self.vars.append((u, j))
        nv = len(self.vars)
        self.nv = nv
        rows, cols, vals = [], [], []
        for v, (u, j) in enumerate(self.vars):
            unit = units[u]
            if j in self.row:
                rows.append(self.row[j])
                cols.append(v)
                vals.append(load_of(nodes[j], unit["cpu"], unit["mem"]))
            h = unit["home"]
            if h in self.row:
                rows.append(self.row[h])
                cols.append(v)
                vals.append(-load_of(nodes[h], unit["cpu"], unit["mem"]))
        self.A = csr_matrix((vals, (rows, cols)), shape=(n, nv))
        self.mu0 = float(self.L0.mean())
        self.c = np.asarray(self.A.sum(axis=0)).ravel() / n
        self.members = np.array([units[u]["members"] for u, _ in self.vars], dtype=float)
        self.gib = np.array([units[u]["bytesMoved"] / GIB for u, _ in self.vars])
        self.base = self._base_constraints()
        self.cuts: list[tuple[np.ndarray, float]] = []
        # Lifted (separable) cone: ||d|| <= t with t = K mu, d = L - mu 1, iff there are s_j >= d_j^2 / t
        # with sum s_j <= t. d^2/t is convex and 1-homogeneous, so its tangent at ratio a = d/t,
        # s_j >= 2 a d_j - a^2 t, is a valid cut for every a; a grid of a in [-1, 1] per node
        # approximates the whole cone at once instead of one aggregated tangent per iteration.
        self.lifted = False
        self.node_cuts: list[tuple[int, float]] = []
        self.D = (self.A - csr_matrix(np.ones((n, 1))) @ csr_matrix(self.c[None, :])).tocsr()
        self.d0 = self.L0 - self.mu0
        self.symmetry = self._symmetry_rows()

    def _base_constraints(self) -> list[LinearConstraint]:
        cluster = self.cluster
        nodes, units = cluster["nodes"], cluster["units"]
        nv = self.nv
        cons = []
        # Each unit moves at most once (exactly once when it evacuates a node in maintenance).
        rows, cols = [], []
        for v, (u, _) in enumerate(self.vars):
            rows.append(u)
            cols.append(v)
        U = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(units), nv))
        lower = np.array([1.0 if unit["evacuate"] and unit["allowed"] else 0.0 for unit in units])
        cons.append(LinearConstraint(U, lower, np.ones(len(units))))
        # Capacity on the final placement of every node that receives a unit (see module doc).
        self.indicator_nodes: list[int] = []
        cap_rows, cap_cols, cap_vals, cap_ub = [], [], [], []
        r = 0
        for resource, used_key, limit_key, add_key, sub_key in (
            ("memory", "fitMem", "memLimit", "targetMem", "sourceMem"),
            ("cpu", "fitCpu", "cpuLimit", "demandCpu", "demandCpu"),
        ):
            for j, node in enumerate(nodes):
                if not node["target"]:
                    continue
                coeffs: dict[int, float] = {}
                for v, (u, k) in enumerate(self.vars):
                    if k == j:
                        coeffs[v] = coeffs.get(v, 0.0) + units[u][add_key]
                    if units[u]["home"] == j:
                        coeffs[v] = coeffs.get(v, 0.0) - units[u][sub_key]
                if not any(value > 0 for value in coeffs.values()):
                    continue
                slack = node[limit_key] - node[used_key]
                if slack < 0:
                    # Already above the limit: only if it receives something must it end below it.
                    # Big-M through an indicator variable added per such node (rare).
                    self.indicator_nodes.append((j, resource, coeffs, slack))
                    continue
                for v, value in coeffs.items():
                    cap_rows.append(r)
                    cap_cols.append(v)
                    cap_vals.append(value)
                cap_ub.append(slack)
                r += 1
        if r > 0:
            cons.append(
                LinearConstraint(csr_matrix((cap_vals, (cap_rows, cap_cols)), shape=(r, nv)), -np.inf, np.array(cap_ub))
            )
        # Strict anti-affinity, final placement: at most one member per node, or no more than now.
        if cluster.get("antiGroups", 0) > 0:
            for group in range(cluster["antiGroups"]):
                members = [u for u, unit in enumerate(units) if group in unit["antiStrict"]]
                if len(members) < 2:
                    continue
                for j in range(len(nodes)):
                    initial = sum(1 for u in members if units[u]["home"] == j)
                    coeffs = {}
                    for v, (u, k) in enumerate(self.vars):
                        if u not in members:
                            continue
                        if k == j:
                            coeffs[v] = coeffs.get(v, 0.0) + 1.0
                        if units[u]["home"] == j:
                            coeffs[v] = coeffs.get(v, 0.0) - 1.0
                    if not coeffs:
                        continue
                    row = np.zeros(nv)
                    for v, value in coeffs.items():
                        row[v] = value
                    cons.append(LinearConstraint(row[None, :], -np.inf, max(1, initial) - initial))
        return cons

    def _symmetry_rows(self) -> list[tuple[list[int], list[int]]]:
        """Identical units (same home, load, bytes, targets, rules): the earlier one moves if the later does.

        Swapping two identical units maps every plan onto one with the same loads, capacity use,
        migrations and GiB, so requiring moved(u1) >= moved(u2) for u1 < u2 keeps an optimal plan (and
        feasibility) while cutting the symmetric copies out of the search.
        """
        units = self.cluster["units"]
        by_unit: dict[int, list[int]] = {}
        for v, (u, _) in enumerate(self.vars):
            by_unit.setdefault(u, []).append(v)
        groups: dict[str, list[int]] = {}
        for u, unit in enumerate(units):
            if not unit["allowed"]:
                continue
            key = json.dumps({k: value for k, value in unit.items() if k != "id"}, sort_keys=True)
            groups.setdefault(key, []).append(u)
        pairs = []
        for members in groups.values():
            for first, second in zip(members, members[1:]):
                pairs.append((by_unit[first], by_unit[second]))
        return pairs

    def enable_lifted(self, grid: int) -> None:
        self.lifted = True
        for a in np.linspace(-1.0, 1.0, grid):
            for r in range(self.n):
                self.node_cuts.append((r, float(a)))

    def add_node_cuts(self, L: np.ndarray) -> None:
        mu = float(L.mean())
        t = self.K * mu
        if t <= 0:
            return
        for r in range(self.n):
            self.node_cuts.append((r, float((L[r] - mu) / t)))

    def loads(self, x: np.ndarray) -> np.ndarray:
        return self.L0 + self.A @ x

    def imbalance(self, x: np.ndarray) -> float:
        L = self.loads(x)
        mu = L.mean()
        if mu <= 0:
            return 0.0
        return float(np.sqrt(np.mean((L - mu) ** 2)) / mu / math.sqrt(self.n - 1))

    def add_cut(self, L: np.ndarray) -> bool:
        """Tangent cut of the cone at loads L: g.(L0 + A x) <= K (mu0 + c.x), g = unit deviation."""
        d = L - L.mean()
        norm = float(np.linalg.norm(d))
        if norm <= 1e-15:
            return False
        g = d / norm
        row = np.asarray(self.A.T @ g).ravel() - self.K * self.c
        ub = self.K * self.mu0 - float(g @ self.L0)
        self.cuts.append((row, ub))
        return True

    def seed_cuts(self) -> None:
        """Cuts at the start and at brute force's end, and one per node each side (|L_j - mu| bounds)."""
        self.add_cut(self.L0)
        placement = self.cluster["bruteForce"]["placement"]
        x = np.zeros(self.nv)
        index = {key: v for v, key in enumerate(self.vars)}
        for u, j in enumerate(placement):
            if j != self.cluster["units"][u]["home"] and (u, j) in index:
                x[index[(u, j)]] = 1
        self.bf_x = x
        self.add_cut(self.loads(x))
        n = self.n
        for r in range(n):
            for sign in (1.0, -1.0):
                e = np.full(n, -1.0 / n)
                e[r] += 1.0
                self.add_cut(self.mu0 + sign * e)  # any point whose deviation is ±(e_r - 1/n)

    def solve(self, objective: np.ndarray, extra: list[LinearConstraint], time_limit: float):
        constraints = list(self.base) + extra
        if self.cuts:
            rows = np.vstack([row for row, _ in self.cuts])
            ubs = np.array([ub for _, ub in self.cuts])
            constraints.append(LinearConstraint(csr_matrix(rows), -np.inf, ubs))
        nv = self.nv
        if self.symmetry:
            rows, cols, vals = [], [], []
            for r, (first, second) in enumerate(self.symmetry):
                for v in first:
                    rows.append(r)
                    cols.append(v)
                    vals.append(-1.0)
                for v in second:
                    rows.append(r)
                    cols.append(v)
                    vals.append(1.0)
            constraints.append(
                LinearConstraint(csr_matrix((vals, (rows, cols)), shape=(len(self.symmetry), nv)), -np.inf, 0.0)
            )
        c = objective
        integrality = np.ones(nv)
        lb, ub = np.zeros(nv), np.ones(nv)
        # Nodes already above a capacity limit: indicator y_j (1 when it receives anything).
        if self.indicator_nodes:
            extra_vars = len(self.indicator_nodes)
            c = np.concatenate([c, np.zeros(extra_vars)])
            integrality = np.concatenate([integrality, np.ones(extra_vars)])
            lb, ub = np.concatenate([lb, np.zeros(extra_vars)]), np.concatenate([ub, np.ones(extra_vars)])
            widened = []
            for con in constraints:
                matrix = con.A if hasattr(con.A, "shape") else np.asarray(con.A)
                matrix = csr_matrix(matrix)
                widened.append(
                    LinearConstraint(
                        csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], nv + extra_vars)),
                        con.lb,
                        con.ub,
                    )
                )
            constraints = widened
            for i, (j, _resource, coeffs, slack) in enumerate(self.indicator_nodes):
                big = sum(value for value in coeffs.values() if value > 0) + 1.0
                row = np.zeros(nv + extra_vars)
                for v, value in coeffs.items():
                    row[v] = value
                # usage change <= slack + M (1 - y)  ->  row.x + M y <= slack + M
                row[nv + i] = big
                constraints.append(LinearConstraint(row[None, :], -np.inf, slack + big))
                for v, (_u, k) in enumerate(self.vars):
                    if k == j:
                        link = np.zeros(nv + extra_vars)
                        link[v] = 1
                        link[nv + i] = -1
                        constraints.append(LinearConstraint(link[None, :], -np.inf, 0))
        if self.lifted:
            # Continuous s_j after every other column (see enable_lifted).
            width = len(c)
            n = self.n
            constraints = [
                LinearConstraint(
                    csr_matrix(
                        (csr_matrix(con.A).data, csr_matrix(con.A).indices, csr_matrix(con.A).indptr),
                        shape=(csr_matrix(con.A).shape[0], width + n),
                    ),
                    con.lb,
                    con.ub,
                )
                for con in constraints
            ]
            Kc = self.K * self.c
            rows = []
            ubs = []
            for r, a in self.node_cuts:
                # 2a d_r - a^2 K mu - s_r <= 0, with d_r = d0_r + D_r x and mu = mu0 + c.x
                row = np.zeros(width + n)
                row[:nv] = 2 * a * self.D[r].toarray().ravel() - a * a * Kc
                row[width + r] = -1.0
                rows.append(row)
                ubs.append(-2 * a * self.d0[r] + a * a * self.K * self.mu0)
            total = np.zeros(width + n)
            total[:nv] = -Kc
            total[width:] = 1.0
            rows.append(total)
            ubs.append(self.K * self.mu0)
            constraints.append(LinearConstraint(csr_matrix(np.vstack(rows)), -np.inf, np.array(ubs)))
            c = np.concatenate([c, np.zeros(n)])
            integrality = np.concatenate([integrality, np.zeros(n)])
            lb, ub = np.concatenate([lb, np.zeros(n)]), np.concatenate([ub, np.full(n, np.inf)])
        result = milp(
            c,
            constraints=constraints,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            options={"time_limit": time_limit, "disp": False, "mip_rel_gap": 1e-6},
        )
        x = None if result.x is None else np.round(result.x[: self.nv])
        bound = getattr(result, "mip_dual_bound", None)
        return result, x, bound


def outer_approximation(model: Model, objective: np.ndarray, extra, time_limit: float, max_iterations: int, deadline: float):
    """Kelley's cutting planes on the imbalance cone. Returns (status, value, bound, x, iterations)."""
    bound = 0.0
    for iteration in range(1, max_iterations + 1):
        remaining = deadline - time.time()
        if remaining <= 1:
            return "time", None, bound, None, iteration - 1
        result, x, dual = model.solve(objective, extra, min(time_limit, remaining))
        if result.status == 2 or (x is None and result.status == 0):
            return "infeasible", None, math.inf, None, iteration
        if x is None:
            # Time limit without an incumbent: only the dual bound is known.
            if dual is not None and math.isfinite(dual):
                bound = max(bound, dual)
            return "time", None, bound, None, iteration
        if result.status == 0:
            bound = max(bound, float(result.fun))
        elif dual is not None and math.isfinite(dual):
            # Stopped on time with an incumbent: its dual bound is still a valid lower bound.
            bound = max(bound, dual)
        if model.imbalance(x) <= model.T + 1e-9:
            if result.status == 0:
                return "optimal", float(objective @ x), bound, x, iteration
            return "feasible", float(objective @ x), bound, x, iteration
        # The solution breaks the cone (a solve stopped on time included): cut it off and go on.
        model.add_cut(model.loads(x))
        if model.lifted:
            model.add_node_cuts(model.loads(x))
    return "iterations", None, bound, None, max_iterations


def analyse(cluster: dict, args) -> dict:
    started = time.time()
    model = Model(cluster)
    model.seed_cuts()
    if args.lifted_grid > 0:
        model.enable_lifted(args.lifted_grid)
    if args.no_symmetry:
        model.symmetry = []
    bf = cluster["bruteForce"]
    m_bf, g_bf = bf["migrations"], bf["gib"]
    bf_feasible = all(con_ok(con, model.bf_x) for con in model.base)
    deadline = started + args.cluster_budget
    # Brute force's own plan bounds the count from above (when it respects capacity): prunes the search.
    upper = [LinearConstraint(model.members[None, :], -np.inf, m_bf)] if bf_feasible else []
    status, value, bound, x, iterations = outer_approximation(
        model, model.members, upper, args.time_limit, args.max_iterations, deadline
    )
    out = {
        "id": cluster["id"],
        "nodes": len(cluster["nodes"]),
        "units": len(cluster["units"]),
        "T": model.T,
        "m_bf": m_bf,
        "g_bf": g_bf,
        "bf_capacity_ok": bf_feasible,
        "planner_moves": cluster["planner"]["migrations"],
        "planner_gib": cluster["planner"]["gib"],
        "planner_reached": cluster["planner"]["reached"],
        "moves_status": status,
        "moves_min": value,
        "moves_bound": math.ceil(bound - 1e-6) if math.isfinite(bound) else None,
        "moves_iterations": iterations,
        "moves_gib": float(model.gib @ x) if x is not None else None,
    }
    cap = math.floor(0.8 * m_bf + 1e-9)
    if args.decide:
        # The decision alone: is there a plan with at most 0.8 m_bf migrations reaching T? With the
        # cap as a constraint the search prunes far more than the open minimisation does.
        limit = LinearConstraint(model.members[None, :], -np.inf, cap)
        d_status, d_value, _, _, _ = outer_approximation(
            model, model.members, [limit], args.time_limit, args.max_iterations, time.time() + args.decide_budget
        )
        out.update({"decide_cap": cap, "decide_status": d_status, "decide_moves": d_value})
    if args.feasibility:
        # Pure feasibility with caps (zero objective): HiGHS stops at the first integer point, the
        # cone is checked, cut and re-solved; "infeasible" proves no plan meets the caps, a point
        # inside the cone is a plan that does. Cheaper per round than minimising under the cap.
        gib_cap = 0.8 * g_bf + 1e-6
        caps = {
            "moves": [LinearConstraint(model.members[None, :], -np.inf, cap)],
            "gib": [LinearConstraint(model.gib[None, :], -np.inf, gib_cap)],
        }
        caps["joint"] = caps["moves"] + caps["gib"]
        zero = np.zeros(model.nv)
        known = {}
        for what in args.feasibility.split(","):
            if what == "joint" and ("infeasible" in (known.get("moves"), known.get("gib"))):
                known[what] = "infeasible"
                out.update({"feas_joint_status": "infeasible", "feas_joint_moves": None, "feas_joint_gib": None,
                            "feas_joint_seconds": 0.0, "feas_joint_note": "implied by a half"})
                continue
            t0 = time.time()
            f_status, _, _, fx, f_iter = outer_approximation(
                model, zero, caps[what], args.time_limit, args.max_iterations, time.time() + args.decide_budget
            )
            f_status = "feasible" if f_status in ("optimal", "feasible") else f_status
            known[what] = f_status
            out.update(
                {
                    f"feas_{what}_status": f_status,
                    f"feas_{what}_moves": float(model.members @ fx) if fx is not None else None,
                    f"feas_{what}_gib": float(model.gib @ fx) if fx is not None else None,
                    f"feas_{what}_iterations": f_iter,
                    f"feas_{what}_seconds": round(time.time() - t0, 1),
                }
            )
        out.update({"decide_cap": cap, "decide_gib_cap": gib_cap})
    if args.moves_only:
        out["seconds"] = round(time.time() - started, 1)
        return out
    # Fewest GiB reaching T, with no limit on migrations: a relaxation of the joint goal, so a bound
    # above 0.8 g_bf alone shows the GiB half of the goal is out of reach on this cluster.
    g_status, g_value, g_bound, gx, g_iter = outer_approximation(
        model, model.gib, [], args.time_limit, args.max_iterations, time.time() + args.cluster_budget
    )
    out.update(
        {
            "gib_status": g_status,
            "gib_min": g_value,
            "gib_bound": g_bound if math.isfinite(g_bound) else None,
            "gib_iterations": g_iter,
            "gib_moves": float(model.members @ gx) if gx is not None else None,
        }
    )
    if args.joint:
        # Fewest GiB with at most 0.8 m_bf migrations (the joint goal on one plan).
        if value is not None and status == "optimal" and value > cap:
            out.update({"joint_status": "infeasible", "joint_gib_min": None, "joint_gib_bound": None})
        else:
            limit = LinearConstraint(model.members[None, :], -np.inf, cap)
            j_status, j_value, j_bound, _, _ = outer_approximation(
                model, model.gib, [limit], args.time_limit, args.max_iterations, time.time() + args.cluster_budget
            )
            out.update(
                {
                    "joint_status": j_status,
                    "joint_gib_min": j_value,
                    "joint_gib_bound": j_bound if math.isfinite(j_bound) else None,
                }
            )
    out["seconds"] = round(time.time() - started, 1)
    return out


def con_ok(con: LinearConstraint, x: np.ndarray) -> bool:
    value = con.A @ x
    return bool(np.all(value <= np.asarray(con.ub) + 1e-6) and np.all(value >= np.asarray(con.lb) - 1e-6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clusters")
    parser.add_argument("--time-limit", type=float, default=60, help="seconds per MILP solve")
    parser.add_argument("--cluster-budget", type=float, default=300, help="seconds per cluster and objective")
    parser.add_argument("--max-iterations", type=int, default=400)
    parser.add_argument("--max-units", type=int, default=10**9, help="skip clusters with more units")
    parser.add_argument("--only", default="", help="comma-separated cluster ids")
    parser.add_argument("--moves-only", action="store_true", help="skip the GiB objective")
    parser.add_argument("--decide", action="store_true", help="also: is there a plan with at most 0.8 m_bf migrations?")
    parser.add_argument("--decide-budget", type=float, default=300, help="seconds for --decide per cluster")
    parser.add_argument("--joint", action="store_true", help="also: fewest GiB with at most 0.8 m_bf migrations")
    parser.add_argument(
        "--feasibility", default="", help="comma list of moves,gib,joint: is there a plan within 0.8x (zero objective)?"
    )
    parser.add_argument("--lifted-grid", type=int, default=0, help="lifted cone: tangent grid per node (0 = off)")
    parser.add_argument("--no-symmetry", action="store_true", help="no ordering between identical units")
    parser.add_argument("--json", default="", help="write the per-cluster results here")
    args = parser.parse_args()
    data = json.load(open(args.clusters))
    wanted = set(filter(None, args.only.split(",")))
    results = []
    for cluster in sorted(data["clusters"], key=lambda entry: len(entry["units"]) * len(entry["nodes"])):
        if wanted and cluster["id"] not in wanted:
            continue
        if len(cluster["units"]) > args.max_units:
            continue
        result = analyse(cluster, args)
        results.append(result)
        print(json.dumps(result), flush=True)
        if args.json:
            json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()

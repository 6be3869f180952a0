/**
 * Exports the migration bench's generated clusters (and held-out seeds) as JSON for the exact
 * solver in `migration-optimum.py`: per node its capacity, usage and the shared placement limits;
 * per movable unit (a guest or an affinity bundle) its load, the bytes a migration copies and the
 * targets the shared placement rules allow; and CRS brute force's final imbalance, migrations and
 * GiB (the goal the solver measures against), plus what the shipped planner needs to reach it.
 *
 *   npx -y pnpm@10.34.8 exec tsx --conditions=@ballast/source bench/analysis/export-migration-clusters.ts > /tmp/clusters.json
 *   ... --held-out-only / --bench-only, --margin 0.1
 */
import { placementPolicyFor, planCrsBruteForce, planMigrations } from '@ballast/advisor';
import type { ClusterSnapshot } from '@ballast/core';
import type { MigrationReasonCode, Reason } from '@ballast/validator';
import { buildPlanningModel } from '../../packages/advisor/src/migration/planning-model';
import { generateCluster, LIKE_FOR_LIKE, random } from '../migration-planner.bench';

interface ExportedCluster {
  id: string;
  set: 'bench' | 'held-out';
  seed: number;
  weights: { cpu: number; memory: number };
  nodes: Array<{
    name: string;
    cores: number;
    memTotal: number;
    cpu: number;
    mem: number;
    fitCpu: number;
    fitMem: number;
    cpuLimit: number;
    memLimit: number;
    active: boolean;
    target: boolean;
  }>;
  units: Array<{
    id: string;
    home: number;
    members: number;
    cpu: number;
    mem: number;
    bytesMoved: number;
    targetMem: number;
    sourceMem: number;
    demandCpu: number;
    allowed: number[];
    evacuate: boolean;
    antiStrict: number[];
  }>;
  antiGroups: number;
  bruteForce: {
    margin: number;
    imbalanceBefore: number;
    imbalanceAfter: number;
    migrations: number;
    gib: number;
    placement: number[];
  };
  planner: { reached: boolean; migrations: number; gib: number; imbalanceAfter: number };
}

function exportCluster(
  snapshot: ClusterSnapshot,
  meta: { id: string; set: 'bench' | 'held-out'; seed: number },
  margin: number,
): ExportedCluster {
  const policy = placementPolicyFor(LIKE_FOR_LIKE);
  const model = buildPlanningModel(snapshot, {
    loadBasis: 'current',
    includeHaManaged: true,
    allowLocalDisks: false,
    recentMigrations: {},
    cooldownMs: 0,
    now: snapshot.collectedAt,
    checkStorage: true,
    placement: policy,
  });
  const reasons: Array<Reason<MigrationReasonCode>> = [];
  const units = model.units.map((unit) => {
    const allowed: number[] = [];
    model.nodes.forEach((node, target) => {
      if (!node.target || target === unit.source) return;
      if (unit.allowed !== undefined && !unit.allowed.has(target)) return;
      if (unit.blockedTargets.has(target)) return;
      const free = model.storageFree?.[target];
      if (free !== undefined && unit.storages.some((storage) => !free.has(storage))) return;
      for (const guest of unit.members) {
        reasons.length = 0;
        model.rules?.targetBlockers(guest, node.name, reasons);
        if (reasons.length > 0) return;
      }
      allowed.push(target);
    });
    return {
      id: unit.id,
      home: unit.source,
      members: unit.members.length,
      cpu: unit.cpuCores,
      mem: unit.memoryUsed,
      bytesMoved: unit.ramBytes + unit.localDiskBytes,
      targetMem: unit.demands.reduce((sum, demand) => sum + demand.targetMemory, 0),
      sourceMem: unit.demands.reduce((sum, demand) => sum + demand.sourceMemory, 0),
      demandCpu: unit.demands.reduce((sum, demand) => sum + demand.cpu, 0),
      allowed,
      evacuate: unit.evacuate,
      antiStrict: [...unit.antiAffinityStrict.keys()],
    };
  });
  const reserve = 0.05;
  const nodes = model.nodes.map((node, index) => ({
    name: node.name,
    cores: node.cores,
    memTotal: node.memoryTotal,
    cpu: model.cpuUsed[index]!,
    mem: model.memoryUsed[index]!,
    fitCpu: model.fitCpu[index]!,
    fitMem: model.fitMemory[index]!,
    cpuLimit: policy.maxCpuRatio * node.cores,
    memLimit: Math.min(policy.maxMemoryRatio, 1 - reserve) * node.memoryTotal,
    active: node.active,
    target: node.target,
  }));

  const bf = planCrsBruteForce(snapshot, { maxMigrations: 200, margin });
  const finalNode = new Map(bf.moves.map((move) => [move.vmid, move.targetNode]));
  const placement = model.units.map((unit) => {
    const name = finalNode.get(unit.members[0]!.vmid);
    return name === undefined ? unit.source : model.nodeIndex.get(name)!;
  });
  const plan = planMigrations(snapshot, LIKE_FOR_LIKE);
  const point = plan.curve.find((entry) => entry.imbalance <= bf.imbalanceAfter + 1e-9);
  return {
    ...meta,
    weights: { cpu: 0.5, memory: 0.5 },
    nodes,
    units,
    antiGroups: model.antiNames.length,
    bruteForce: {
      margin,
      imbalanceBefore: bf.imbalanceBefore,
      imbalanceAfter: bf.imbalanceAfter,
      migrations: bf.migrations,
      gib: bf.gibMoved,
      placement,
    },
    planner: {
      reached: point !== undefined,
      migrations: point?.migrations ?? plan.summary.migrations,
      gib: point?.gibMoved ?? plan.summary.gibMoved,
      imbalanceAfter: point?.imbalance ?? plan.summary.imbalanceAfter,
    },
  };
}

/** The bench's 20 clusters (seeds 2000+) and the held-out 40 (seeds 9000+, sizes from 7000+). */
function clusters(which: 'all' | 'bench' | 'held-out') {
  const list: Array<{ snapshot: ClusterSnapshot; id: string; set: 'bench' | 'held-out'; seed: number }> = [];
  if (which !== 'held-out') {
    for (let index = 0; index < 20; index++) {
      const next = random(1000 + index);
      const nodeCount = 5 + Math.floor(next() * 26);
      const seed = 2000 + index;
      list.push({
        snapshot: generateCluster(seed, nodeCount, 8 + Math.floor(next() * 20)),
        id: `bench-${seed}`,
        set: 'bench',
        seed,
      });
    }
  }
  if (which !== 'bench') {
    for (let index = 0; index < 40; index++) {
      const next = random(7000 + index);
      const nodeCount = 5 + Math.floor(next() * 26);
      list.push({
        snapshot: generateCluster(9000 + index, nodeCount, 8 + Math.floor(next() * 20)),
        id: `held-out-${7000 + index}`,
        set: 'held-out',
        seed: 7000 + index,
      });
    }
  }
  return list;
}

const args = process.argv.slice(2);
const which = args.includes('--held-out-only') ? 'held-out' : args.includes('--bench-only') ? 'bench' : 'all';
const marginArg = args.indexOf('--margin');
const margin = marginArg >= 0 ? Number(args[marginArg + 1]) : 0.02;
const exported = clusters(which)
  .map(({ snapshot, ...meta }) => exportCluster(snapshot, meta, margin))
  .filter((cluster) => cluster.bruteForce.migrations > 0);
process.stdout.write(`${JSON.stringify({ margin, clusters: exported })}\n`);

/**
 * Throughput of `validateMigrationAdvice`: a synthetic 100-node / 5 000-guest cluster with tags,
 * HA rules and storages, and 10 000 recommendations of every kind (valid, hallucinated node,
 * unknown guest, wrong source, duplicates, anti-affinity clashes, affinity bundles). Warm-up
 * first, then the median and p95 of several timed runs (`performance.now()`), and the garbage
 * collections (count and pause time, from `PerformanceObserver` 'gc' entries) during those runs.
 */
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import {
  type ClusterSnapshot,
  deriveConstraints,
  type GuestSnapshot,
  type HaRule,
  type NodeSnapshot,
  type StorageSnapshot,
} from '@ballast/core';
import { validateMigrationAdvice } from '@ballast/validator';

const GiB = 2 ** 30;

/** Small deterministic PRNG (mulberry32) so every run validates the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildSnapshot(nodeCount: number, guestCount: number, next: () => number): ClusterSnapshot {
  const nodes: NodeSnapshot[] = [];
  const storages: StorageSnapshot[] = [];
  for (let index = 0; index < nodeCount; index++) {
    const name = `pve${index}`;
    nodes.push({
      name,
      status: index % 50 === 49 ? 'offline' : 'online',
      maintenance: index % 50 === 48,
      cpu: { cores: 64, usageCores: 8 + next() * 24 },
      memory: { totalBytes: 512 * GiB, usedBytes: Math.floor((100 + next() * 200) * GiB) },
      rootDisk: { totalBytes: 200 * GiB, usedBytes: 20 * GiB },
    });
    for (const id of ['ceph', 'local-lvm']) {
      storages.push({
        id,
        node: name,
        shared: id === 'ceph',
        status: 'available',
        totalBytes: 10_000 * GiB,
        usedBytes: 1_000 * GiB,
        content: ['images'],
      });
    }
  }
  const guests: GuestSnapshot[] = [];
  for (let index = 0; index < guestCount; index++) {
    const vmid = 1000 + index;
    const tags: string[] = [];
    if (index % 10 === 0) tags.push(`plb_anti_affinity_g${Math.floor(index / 30)}`);
    if (index % 25 === 1 || index % 25 === 2) tags.push(`affinity_a${Math.floor(index / 25)}`);
    if (index % 40 === 3)
      tags.push(`plb_pin_pve${index % nodeCount}`, `plb_pin_pve${(index + 1) % nodeCount}`);
    if (index % 97 === 5) tags.push('ignore');
    const maxBytes = (1 + Math.floor(next() * 8)) * GiB;
    guests.push({
      vmid,
      name: `guest-${vmid}`,
      kind: index % 5 === 0 ? 'ct' : 'vm',
      // Affinity pairs start together.
      node: `pve${(index % 25 === 2 ? index - 1 : index) % nodeCount}`,
      status: index % 13 === 0 ? 'stopped' : 'running',
      template: index % 211 === 7,
      tags,
      haManaged: index % 53 === 11,
      cpu: { cores: 4, usageCores: next() * 2 },
      memory: { maxBytes, usedBytes: Math.floor(maxBytes * next()) },
      storages: index % 17 === 0 ? ['local-lvm'] : ['ceph'],
      localDisks:
        index % 17 === 0
          ? [{ volumeId: `local-lvm:vm-${vmid}-disk-0`, storage: 'local-lvm', sizeBytes: 16 * GiB }]
          : [],
    });
  }
  const haRules: HaRule[] = [];
  for (let index = 0; index < 50; index++) {
    haRules.push({
      id: `apart-${index}`,
      type: 'resource-affinity',
      affinity: 'negative',
      resources: [1000 + index * 7, 1000 + index * 7 + 101],
      nodes: [],
      strict: true,
      disabled: false,
    });
  }
  return {
    collectedAt: Date.now(),
    source: { kind: 'simulated' },
    nodes,
    guests,
    storages,
    constraints: deriveConstraints(guests, haRules, nodes),
    haRules,
  };
}

function buildAdvice(snapshot: ClusterSnapshot, count: number, next: () => number): unknown {
  const nodeCount = snapshot.nodes.length;
  const recommendations: Array<Record<string, unknown>> = [];
  for (let index = 0; index < count; index++) {
    const guest = snapshot.guests[Math.floor(next() * snapshot.guests.length)]!;
    const roll = next();
    const target = roll < 0.05 ? 'pve-ghost' : `pve${Math.floor(next() * nodeCount)}`;
    recommendations.push({
      vmid: roll < 0.03 ? 999_999 : roll < 0.1 ? String(guest.vmid) : guest.vmid,
      source_node: roll > 0.97 ? 'pve0' : guest.node,
      target_node: target,
      priority: roll < 0.5 ? 'medium' : 'HIGH',
      reasoning: 'balance memory',
      risk_score: Math.floor(next() * 100),
      confidence: next(),
    });
  }
  return { analysis: 'synthetic', recommendations, predicted_issues: [] };
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

async function measure(
  label: string,
  nodes: number,
  guests: number,
  recommendations: number,
  targetMs: number,
): Promise<Record<string, string | number>> {
  const next = random(42);
  const snapshot = buildSnapshot(nodes, guests, next);
  const advice = buildAdvice(snapshot, recommendations, next);
  let result = validateMigrationAdvice(snapshot, advice);
  for (let warm = 0; warm < 5; warm++) result = validateMigrationAdvice(snapshot, advice);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const gcEntries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    gcEntries.push(...list.getEntries());
  });
  observer.observe({ entryTypes: ['gc'] });
  const timedFrom = performance.now();
  for (let run = 0; run < 25; run++) {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    result = validateMigrationAdvice(snapshot, advice);
    times.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  const timedTo = performance.now();
  // GC entries are delivered asynchronously: let them arrive, then keep those of the timed runs.
  await new Promise((resolve) => setImmediate(resolve));
  gcEntries.push(...observer.takeRecords());
  observer.disconnect();
  const gcs = gcEntries.filter((entry) => entry.startTime >= timedFrom && entry.startTime <= timedTo);
  const gcMs = gcs.reduce((total, entry) => total + entry.duration, 0);
  const longestGcMs = gcs.reduce((longest, entry) => Math.max(longest, entry.duration), 0);
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return {
    case: label,
    medianMs: Number(percentile(times, 0.5).toFixed(2)),
    p95Ms: Number(percentile(times, 0.95).toFixed(2)),
    targetMs,
    // CPU time of this process (user + system; includes GC threads): less sensitive to other load.
    medianCpuMs: Number(percentile(cpuTimes, 0.5).toFixed(2)),
    // Garbage collections during the 25 timed runs: how many, total and longest pause.
    gcCount: gcs.length,
    gcMs: Number(gcMs.toFixed(1)),
    longestGcMs: Number(longestGcMs.toFixed(1)),
    accepted: result.accepted.length,
    rejected: result.rejected.length,
    repairs: result.repairs.length,
  };
}

export default async function run(): Promise<{
  name: string;
  rows: Array<Record<string, string | number>>;
  notes: string[];
}> {
  return {
    name: 'validator: validateMigrationAdvice throughput',
    rows: [
      await measure('1k recs / 20 nodes / 1k guests', 20, 1_000, 1_000, 10),
      await measure('10k recs / 100 nodes / 5k guests', 100, 5_000, 10_000, 50),
    ],
    notes: [
      '25 timed runs after 5 warm-up runs; recommendations mix valid, hallucinated and conflicting moves.',
      'gcCount / gcMs / longestGcMs: garbage collections (PerformanceObserver "gc" entries) during the 25 timed runs.',
    ],
  };
}

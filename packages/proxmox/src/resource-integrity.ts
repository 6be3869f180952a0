import type { ClusterResource } from './wire-schemas';

/** What {@link checkClusterResources} found. */
export interface ResourceIntegrity {
  /** Impossible or missing data a plan must not be built on; the collector fails on any. */
  problems: string[];
  /** Gaps that are normal (an offline node reports no capacity) but worth saying. */
  warnings: string[];
}

const numericFields = ['cpu', 'maxcpu', 'mem', 'maxmem', 'disk', 'maxdisk'] as const;

/**
 * Checks `/cluster/resources` before it becomes a snapshot. The snapshot's numbers are read as
 * facts by the planner and the validator, so a value the API did not send must not turn into 0:
 * a node without `maxcpu` looked like a 0-core node, one without `cpu` like an idle one, and the
 * advisor moved guests onto it. Problems (the collector throws a `CollectorError` listing them):
 *
 * - an online node without `maxcpu`, `maxmem`, `cpu` or `mem`;
 * - a guest on an online node without `maxcpu` or `maxmem`, or running without `cpu` or `mem`;
 * - an available storage without `maxdisk`;
 * - any negative or non-finite capacity or usage;
 * - two node rows with one name, two guests with one vmid, a guest on a node that is not listed.
 *
 * Offline (or unknown-state) nodes and their guests legitimately report no usage or capacity; they
 * are warned about and stay unusable as targets through their status.
 *
 * @example
 * ```ts
 * const { problems } = checkClusterResources(await client.getClusterResources());
 * ```
 */
export function checkClusterResources(resources: readonly ClusterResource[]): ResourceIntegrity {
  const problems: string[] = [];
  const warnings: string[] = [];
  const nodeStatus = new Map<string, string | undefined>();

  for (const row of resources) {
    for (const field of numericFields) {
      const value = row[field];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
        problems.push(`${row.id}: ${field} is ${value}, which is impossible`);
      }
    }
  }

  for (const row of resources) {
    if (row.type !== 'node' || row.node === undefined) continue;
    if (nodeStatus.has(row.node)) problems.push(`node ${row.node} is listed twice`);
    nodeStatus.set(row.node, row.status);
    const missing = (['maxcpu', 'maxmem', 'cpu', 'mem'] as const).filter((field) => row[field] === undefined);
    if (missing.length === 0) continue;
    if (row.status === 'online') {
      problems.push(`node ${row.node} is online but reports no ${missing.join(', ')}`);
    } else {
      warnings.push(
        `node ${row.node} is ${row.status ?? 'in an unknown state'} and reports no capacity; it is not a target`,
      );
    }
  }

  // Every cluster has a node; PVE answers an empty list (status 200) to a token that may not see
  // any (no Sys.Audit/VM.Audit on /). Taken as is, it was a cluster with nothing to balance.
  if (nodeStatus.size === 0)
    problems.push(
      resources.length === 0
        ? 'the listing is empty: no node is visible (does the API token have Sys.Audit and VM.Audit on /, e.g. the PVEAuditor role?)'
        : 'the listing has no node row (does the API token have Sys.Audit on /nodes?)',
    );

  const vmids = new Set<number>();
  for (const row of resources) {
    if ((row.type !== 'qemu' && row.type !== 'lxc') || row.vmid === undefined) continue;
    if (vmids.has(row.vmid)) problems.push(`vmid ${row.vmid} is listed twice`);
    vmids.add(row.vmid);
    if (row.node === undefined) continue;
    if (!nodeStatus.has(row.node)) {
      problems.push(`guest ${row.vmid} is on node ${row.node}, which is not in the cluster's node list`);
      continue;
    }
    const required: Array<(typeof numericFields)[number]> = ['maxcpu', 'maxmem'];
    if (row.status === 'running') required.push('cpu', 'mem');
    const missing = required.filter((field) => row[field] === undefined);
    if (missing.length === 0) continue;
    if (nodeStatus.get(row.node) === 'online') {
      problems.push(`guest ${row.vmid} on node ${row.node} reports no ${missing.join(', ')}`);
    } else {
      warnings.push(
        `guest ${row.vmid} on ${nodeStatus.get(row.node) ?? 'unknown-state'} node ${row.node} reports no ${missing.join(', ')}`,
      );
    }
  }

  for (const row of resources) {
    if (row.type === 'storage' && row.status === 'available' && row.maxdisk === undefined) {
      problems.push(
        `storage ${row.storage ?? row.id} on ${row.node ?? '?'} is available but reports no maxdisk`,
      );
    }
  }
  return { problems, warnings };
}

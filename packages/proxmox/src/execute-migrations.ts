import { AbortedError, CollectorError } from '@ballast/core';
import { mapLimit } from './collect-cluster-snapshot';
import type { ProxmoxClient } from './proxmox-client';
import { parseUpid } from './upid';
import type { ClusterResource, MigratePreconditionWire, TaskStatus } from './wire-schemas';

/** One planned move. */
export interface MigrationMove {
  vmid: number;
  kind: 'vm' | 'ct';
  /** The node the guest is expected on; the move is refused when it is elsewhere. */
  source: string;
  target: string;
  /** VMs: allow copying local disks (`with-local-disks=1`). Default: allowed when needed; `false` refuses. */
  withLocalDisks?: boolean;
  /** VMs: live migration when running. Default true; `false` refuses a running VM. */
  online?: boolean;
  /** VMs: `targetstorage`, CTs: `target-storage`. */
  targetStorage?: string;
}

/** Options of {@link executeMigrations}. */
export interface ExecuteMigrationsOptions {
  /** Really migrate. Default false: a dry run that only reads (preconditions) and reports. */
  apply?: boolean;
  /** Moves in flight at once, in plan order. Default 1. */
  parallel?: number;
  signal?: AbortSignal;
  /** Task polling interval. Default 2 000 ms. */
  pollIntervalMs?: number;
  /** How long to wait for one migration task. Default 30 min. */
  timeoutMs?: number;
  /** Skip the remaining moves after a failure. Default false. */
  stopOnFailure?: boolean;
  /** KiB/s for every move (`bwlimit`). */
  bwlimit?: number;
  /** CT restart migration: shutdown timeout, seconds (PVE default 180). */
  restartTimeoutSeconds?: number;
  onProgress?: (event: MigrationProgressEvent) => void;
}

/** Progress of one move. */
export interface MigrationProgressEvent {
  vmid: number;
  status: 'checking' | 'planned' | 'refused' | 'started' | 'succeeded' | 'failed' | 'aborted' | 'skipped';
  upid?: string;
  reason?: string;
}

/** What the migrate precondition said, normalised. */
export interface MigrationPrecondition {
  running: boolean | undefined;
  /** Absent on PVE ≤ 8 for running VMs. */
  allowedNodes?: string[];
  notAllowedNodes: Record<string, { unavailableStorages: string[]; blockingHaResources: string[] }>;
  localDisks: Array<{ volumeId: string; sizeBytes: number; cdrom: boolean }>;
  localResources: string[];
  mappedResources: string[];
}

/** The outcome of one move. */
export type MigrationMoveStatus = 'planned' | 'refused' | 'succeeded' | 'failed' | 'aborted' | 'skipped';

/** Report of one move. */
export interface MigrationMoveReport {
  move: MigrationMove;
  /** `planned` = dry run, would be sent; `refused` = not sent (see `reason`). */
  status: MigrationMoveStatus;
  reason?: string;
  haManaged: boolean;
  /** `undefined` when the endpoint is not available (LXC on PVE ≤ 8). */
  precondition?: MigrationPrecondition;
  /** The request that was (apply) or would be (dry run) sent. */
  request?: { method: 'POST'; path: string; params: Record<string, string | number> };
  upid?: string;
  /** The task's exit status (`OK`, `migration aborted`, …). */
  exitStatus?: string;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
}

/** Report of a whole run. */
export interface MigrationExecutionReport {
  applied: boolean;
  moves: MigrationMoveReport[];
  summary: Record<MigrationMoveStatus, number>;
}

/**
 * Executes (or, by default, dry-runs) a migration plan. For every move it reads the cluster once
 * (`/cluster/resources`), checks where the guest is and that it is not locked, asks PVE's migrate
 * precondition (`allowed_nodes`, `not_allowed_nodes`, `local_disks`, `local_resources`) and refuses
 * with a reason when the target is not allowed. With `apply: true` it POSTs the migration (VMs
 * `online=1` when running and `with-local-disks=1` when needed; CTs `restart=1`; HA-managed guests
 * through `/cluster/ha/resources/{sid}/migrate`), then polls the task until it stops: exit status
 * `OK` is success, anything else a failure carrying the exit status.
 *
 * @example
 * ```ts
 * const dryRun = await executeMigrations(client, [{ vmid: 101, kind: 'vm', source: 'pve1', target: 'pve2' }]);
 * if (dryRun.summary.refused === 0) await executeMigrations(client, plan, { apply: true, parallel: 2 });
 * ```
 */
export async function executeMigrations(
  client: ProxmoxClient,
  plan: readonly MigrationMove[],
  options: ExecuteMigrationsOptions = {},
): Promise<MigrationExecutionReport> {
  const apply = options.apply === true;
  const signal = options.signal;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const reports: MigrationMoveReport[] = plan.map((move) => ({ move, status: 'skipped', haManaged: false }));
  const emit = (event: MigrationProgressEvent) => options.onProgress?.(event);
  let halted = false;

  const resources = signal?.aborted
    ? []
    : await client.getClusterResources({ signal }).catch(rethrowUnlessAbort);
  const aborted = () => signal?.aborted === true;

  await mapLimit(
    plan.map((move, index) => ({ move, index })),
    Math.max(1, Math.floor(options.parallel ?? 1)),
    async ({ move, index }) => {
      const report = reports[index]!;
      if (aborted() || halted || resources === undefined) {
        report.status = aborted() ? 'aborted' : 'skipped';
        report.reason = aborted() ? 'aborted before start' : 'an earlier move failed (stopOnFailure)';
        emit({ vmid: move.vmid, status: report.status, reason: report.reason });
        return;
      }
      emit({ vmid: move.vmid, status: 'checking' });
      try {
        await runMove(
          client,
          move,
          report,
          resources,
          { ...options, apply, pollIntervalMs, timeoutMs },
          emit,
        );
      } catch (error) {
        if (AbortedError.isInstance(error) || aborted()) {
          report.status = 'aborted';
          report.reason =
            report.upid === undefined
              ? 'aborted before the migration was sent'
              : 'stopped waiting for the task; it may still be running on the cluster';
        } else {
          report.status = apply && report.request !== undefined ? 'failed' : 'refused';
          report.reason = error instanceof Error ? error.message : String(error);
        }
      }
      if (report.status === 'failed' && options.stopOnFailure === true) halted = true;
      if (report.startedAt !== undefined && report.finishedAt === undefined && report.status !== 'planned') {
        report.finishedAt = Date.now();
        report.durationMs = report.finishedAt - report.startedAt;
      }
      const event: MigrationProgressEvent = { vmid: move.vmid, status: report.status };
      if (report.upid !== undefined) event.upid = report.upid;
      if (report.reason !== undefined) event.reason = report.reason;
      emit(event);
    },
  );

  const summary: Record<MigrationMoveStatus, number> = {
    planned: 0,
    refused: 0,
    succeeded: 0,
    failed: 0,
    aborted: 0,
    skipped: 0,
  };
  for (const report of reports) summary[report.status]++;
  return { applied: apply, moves: reports, summary };

  function rethrowUnlessAbort(error: unknown): undefined {
    if (AbortedError.isInstance(error)) return undefined;
    throw error;
  }
}

async function runMove(
  client: ProxmoxClient,
  move: MigrationMove,
  report: MigrationMoveReport,
  resources: ClusterResource[],
  options: ExecuteMigrationsOptions & { apply: boolean; pollIntervalMs: number; timeoutMs: number },
  emit: (event: MigrationProgressEvent) => void,
): Promise<void> {
  const signal = options.signal;
  const apiKind = move.kind === 'vm' ? 'qemu' : 'lxc';
  const refuse = (reason: string) => {
    report.status = 'refused';
    report.reason = reason;
  };

  const row = resources.find((entry) => entry.type === apiKind && entry.vmid === move.vmid);
  if (move.source === move.target) return refuse('source and target are the same node');
  if (row === undefined) return refuse(`no ${move.kind === 'vm' ? 'VM' : 'CT'} ${move.vmid} in the cluster`);
  if (row.node !== move.source) return refuse(`guest ${move.vmid} is on ${row.node}, not on ${move.source}`);
  const targetNode = resources.find((entry) => entry.type === 'node' && entry.node === move.target);
  if (targetNode === undefined) return refuse(`target node ${move.target} does not exist`);
  if (targetNode.status !== 'online')
    return refuse(`target node ${move.target} is ${targetNode.status ?? 'not online'}`);
  if (row.lock !== undefined && row.lock !== '') return refuse(`guest ${move.vmid} is locked (${row.lock})`);
  report.haManaged = row.hastate !== undefined;

  // The authoritative check: PVE's own migrate precondition.
  let precondition: MigrationPrecondition | undefined;
  try {
    precondition = normalizePrecondition(
      await client.getMigratePrecondition(move.source, apiKind, move.vmid, { target: move.target, signal }),
    );
    report.precondition = precondition;
  } catch (error) {
    const unsupported =
      move.kind === 'ct' &&
      CollectorError.isInstance(error) &&
      (error.statusCode === 501 || error.statusCode === 404);
    if (!unsupported) throw error;
  }
  const running = precondition?.running ?? row.status === 'running';

  if (precondition !== undefined) {
    const blocked = precondition.notAllowedNodes[move.target];
    if (blocked !== undefined) {
      const reasons: string[] = [];
      if (blocked.unavailableStorages.length > 0)
        reasons.push(`storage not available there: ${blocked.unavailableStorages.join(', ')}`);
      if (blocked.blockingHaResources.length > 0)
        reasons.push(`blocked by HA: ${blocked.blockingHaResources.join(', ')}`);
      return refuse(`PVE does not allow ${move.target} (${reasons.join('; ') || 'not_allowed_nodes'})`);
    }
    if (precondition.allowedNodes !== undefined && !precondition.allowedNodes.includes(move.target)) {
      return refuse(`${move.target} is not in PVE's allowed_nodes [${precondition.allowedNodes.join(', ')}]`);
    }
    if (precondition.localResources.length > 0) {
      return refuse(`guest uses local resources: ${precondition.localResources.join(', ')}`);
    }
    const cdroms = precondition.localDisks.filter((disk) => disk.cdrom);
    if (cdroms.length > 0)
      return refuse(`local CD-ROM attached: ${cdroms.map((disk) => disk.volumeId).join(', ')}`);
    if (precondition.allowedNodes === undefined) {
      // PVE ≤ 8 lists allowed nodes only for stopped VMs: check the local disks' storages ourselves.
      const missing = [
        ...new Set(precondition.localDisks.map((disk) => disk.volumeId.split(':')[0] ?? '')),
      ].filter(
        (storage) =>
          storage !== '' &&
          move.targetStorage === undefined &&
          !resources.some(
            (entry) => entry.type === 'storage' && entry.node === move.target && entry.storage === storage,
          ),
      );
      if (missing.length > 0) return refuse(`storage not available on ${move.target}: ${missing.join(', ')}`);
    }
  }
  const localDisks = precondition?.localDisks.filter((disk) => !disk.cdrom) ?? [];
  if (move.kind === 'vm' && localDisks.length > 0 && move.withLocalDisks === false) {
    return refuse(
      `guest has local disks (${localDisks.map((disk) => disk.volumeId).join(', ')}) and withLocalDisks is false`,
    );
  }
  if (move.kind === 'vm' && running && move.online === false) {
    return refuse('the VM is running and online is false (PVE refuses offline migration of a running VM)');
  }

  // Build the request.
  const sid = `${move.kind}:${move.vmid}`;
  if (report.haManaged) {
    report.request = {
      method: 'POST',
      path: `/cluster/ha/resources/${sid}/migrate`,
      params: { node: move.target },
    };
  } else if (move.kind === 'vm') {
    const params: Record<string, string | number> = { target: move.target };
    if (running) params.online = 1;
    if (localDisks.length > 0) params['with-local-disks'] = 1;
    if (move.targetStorage !== undefined) params.targetstorage = move.targetStorage;
    if (options.bwlimit !== undefined) params.bwlimit = options.bwlimit;
    report.request = { method: 'POST', path: `/nodes/${move.source}/qemu/${move.vmid}/migrate`, params };
  } else {
    const params: Record<string, string | number> = { target: move.target };
    if (running) params.restart = 1;
    if (running && options.restartTimeoutSeconds !== undefined)
      params.timeout = options.restartTimeoutSeconds;
    if (move.targetStorage !== undefined) params['target-storage'] = move.targetStorage;
    if (options.bwlimit !== undefined) params.bwlimit = options.bwlimit;
    report.request = { method: 'POST', path: `/nodes/${move.source}/lxc/${move.vmid}/migrate`, params };
  }

  if (!options.apply) {
    report.status = 'planned';
    report.reason = 'dry run: nothing was changed';
    return;
  }

  // Apply.
  report.startedAt = Date.now();
  const deadline = report.startedAt + options.timeoutMs;
  const taskType = move.kind === 'vm' ? 'qmigrate' : 'vzmigrate';
  let upid: string;
  if (report.haManaged) {
    const before = new Set(
      (await client.listNodeTasks(move.source, { vmid: move.vmid, typefilter: taskType, signal })).map(
        (task) => task.upid,
      ),
    );
    await client.migrateHaResource(sid, move.target, { signal });
    upid = await findSpawnedTask(client, move, taskType, before, deadline, options.pollIntervalMs, signal);
  } else if (move.kind === 'vm') {
    upid = await client.migrateVm(
      move.source,
      move.vmid,
      {
        target: move.target,
        ...(running ? { online: true } : {}),
        ...(localDisks.length > 0 ? { withLocalDisks: true } : {}),
        ...(move.targetStorage === undefined ? {} : { targetStorage: move.targetStorage }),
        ...(options.bwlimit === undefined ? {} : { bwlimit: options.bwlimit }),
      },
      { signal },
    );
    const parsed = parseUpid(upid);
    if (parsed?.type === 'hamigrate') {
      // The guest is HA-managed after all: this task only queued `ha-manager migrate`.
      report.haManaged = true;
      report.upid = upid;
      const first = await waitForTask(client, parsed.node, upid, deadline, options.pollIntervalMs, signal);
      if (first.exitstatus !== 'OK') {
        report.status = 'failed';
        report.exitStatus = first.exitstatus ?? 'unknown';
        report.reason = `HA migrate request failed: ${report.exitStatus}`;
        return;
      }
      upid = await findSpawnedTask(
        client,
        move,
        taskType,
        new Set(),
        deadline,
        options.pollIntervalMs,
        signal,
        parsed.starttime,
      );
    }
  } else {
    upid = await client.migrateContainer(
      move.source,
      move.vmid,
      {
        target: move.target,
        ...(running ? { restart: true } : {}),
        ...(running && options.restartTimeoutSeconds !== undefined
          ? { timeout: options.restartTimeoutSeconds }
          : {}),
        ...(move.targetStorage === undefined ? {} : { targetStorage: move.targetStorage }),
        ...(options.bwlimit === undefined ? {} : { bwlimit: options.bwlimit }),
      },
      { signal },
    );
  }
  report.upid = upid;
  emit({ vmid: move.vmid, status: 'started', upid });
  const taskNode = parseUpid(upid)?.node ?? move.source;
  const status = await waitForTask(client, taskNode, upid, deadline, options.pollIntervalMs, signal);
  report.finishedAt = Date.now();
  report.durationMs = report.finishedAt - report.startedAt;
  if (status.status !== 'stopped') {
    report.status = 'failed';
    report.reason = `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${upid}; it may still be running`;
    return;
  }
  report.exitStatus = status.exitstatus ?? 'unknown';
  if (report.exitStatus === 'OK') {
    report.status = 'succeeded';
  } else {
    // Anything but OK (including `WARNINGS: n`) is not reported as success (ProxLB credativ#7).
    report.status = 'failed';
    report.reason = `task ended with: ${report.exitStatus}`;
  }
}

/** Polls a task until it stops or the deadline passes (then returns the last, running status). */
async function waitForTask(
  client: ProxmoxClient,
  node: string,
  upid: string,
  deadline: number,
  pollIntervalMs: number,
  signal: AbortSignal | undefined,
): Promise<TaskStatus> {
  let errors = 0;
  for (;;) {
    try {
      const status = await client.getTaskStatus(node, upid, { signal });
      errors = 0;
      if (status.status === 'stopped' || Date.now() >= deadline) return status;
    } catch (error) {
      if (AbortedError.isInstance(error)) throw error;
      // The client already retried; tolerate a few more failed polls before giving up.
      if (++errors >= 3 || Date.now() >= deadline) throw error;
    }
    await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())), signal);
  }
}

/** Finds the `qmigrate`/`vzmigrate` task the HA stack spawned for a guest. */
async function findSpawnedTask(
  client: ProxmoxClient,
  move: MigrationMove,
  taskType: string,
  before: Set<string>,
  deadline: number,
  pollIntervalMs: number,
  signal: AbortSignal | undefined,
  since?: number,
): Promise<string> {
  for (;;) {
    const tasks = await client.listNodeTasks(move.source, {
      vmid: move.vmid,
      typefilter: taskType,
      ...(since === undefined ? {} : { since }),
      signal,
    });
    const spawned = tasks.find((task) => !before.has(task.upid));
    if (spawned !== undefined) return spawned.upid;
    if (Date.now() >= deadline) {
      throw new CollectorError({
        message: `the HA stack started no ${taskType} task for ${move.kind}:${move.vmid} before the timeout`,
        source: 'proxmox',
        endpoint: `GET /nodes/${move.source}/tasks`,
      });
    }
    await sleep(pollIntervalMs, signal);
  }
}

function normalizePrecondition(wire: MigratePreconditionWire): MigrationPrecondition {
  const notAllowedNodes: MigrationPrecondition['notAllowedNodes'] = {};
  for (const [node, entry] of Object.entries(wire.not_allowed_nodes ?? {})) {
    notAllowedNodes[node] = {
      unavailableStorages: entry.unavailable_storages ?? [],
      blockingHaResources: (entry['blocking-ha-resources'] ?? []).map(
        (resource) => `${resource.sid ?? '?'}${resource.cause ? ` (${resource.cause})` : ''}`,
      ),
    };
  }
  const result: MigrationPrecondition = {
    running: wire.running,
    notAllowedNodes,
    localDisks: wire.local_disks.map((disk) => ({
      volumeId: disk.volid,
      sizeBytes: disk.size ?? 0,
      cdrom: disk.cdrom ?? false,
    })),
    localResources: wire.local_resources,
    mappedResources: wire['mapped-resources'] ?? [],
  };
  if (wire.allowed_nodes !== undefined) result.allowedNodes = wire.allowed_nodes;
  return result;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

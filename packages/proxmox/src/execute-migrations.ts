import { AbortedError } from '@ballast/core';
import { functionIssue, integerIssue, type OptionIssue, positiveIssue, refuseOptions } from './check-options';
import { mapLimit } from './collect-cluster-snapshot';
import {
  checkAgainstListing,
  readPrecondition,
  refusalFromMoveOptions,
  refusalFromPrecondition,
} from './migration-move-checks';
import { existingTasks, findSpawnedTask, waitForTask } from './migration-tasks';
import type { ProxmoxClient } from './proxmox-client';
import { parseUpid } from './upid';
import type { ClusterResource } from './wire-schemas';

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
  checkExecuteOptions(plan, options);
  const apply = options.apply === true;
  const signal = options.signal;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const reports: MigrationMoveReport[] = plan.map((move) => ({ move, status: 'skipped', haManaged: false }));
  /** vmid → the move of this plan that passed its checks for that guest (it is or would be sent). */
  const claims = new Map<number, number>();
  const emit = (event: MigrationProgressEvent) => options.onProgress?.(event);
  let halted = false;

  const resources = signal?.aborted
    ? []
    : await client.getClusterResources({ signal }).catch(rethrowUnlessAbort);
  const aborted = () => signal?.aborted === true;

  await mapLimit(
    plan.map((move, index) => ({ move, index })),
    options.parallel ?? 1,
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
          { ...options, apply, pollIntervalMs, timeoutMs, claims, index },
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

/**
 * The plan and options are checked before any request. Before, `parallel: NaN` started no worker
 * (every move `skipped`, no reason), `timeoutMs: NaN` waited for a stuck task forever, a `NaN`
 * poll interval polled without pause, and `bwlimit`/`restartTimeoutSeconds` of `NaN` were sent.
 */
function checkExecuteOptions(plan: readonly MigrationMove[], options: ExecuteMigrationsOptions): void {
  const issues: OptionIssue[] = [];
  if (!Array.isArray(plan)) issues.push({ path: 'plan', message: 'must be an array of moves' });
  else
    plan.forEach((move: Partial<MigrationMove> | null, index) => {
      const at = `plan.${index}`;
      if (typeof move !== 'object' || move === null) {
        issues.push({ path: at, message: 'must be a move { vmid, kind, source, target }' });
        return;
      }
      if (typeof move.vmid !== 'number' || !Number.isSafeInteger(move.vmid) || move.vmid < 1)
        issues.push({ path: `${at}.vmid`, message: 'must be a positive integer' });
      if (move.kind !== 'vm' && move.kind !== 'ct')
        issues.push({ path: `${at}.kind`, message: "must be 'vm' or 'ct'" });
      for (const key of ['source', 'target'] as const)
        if (typeof move[key] !== 'string' || move[key].length === 0)
          issues.push({ path: `${at}.${key}`, message: 'must be a node name' });
    });
  issues.push(
    ...integerIssue('parallel', options.parallel, 1),
    ...positiveIssue('timeoutMs', options.timeoutMs),
    ...positiveIssue('pollIntervalMs', options.pollIntervalMs),
    ...integerIssue('bwlimit', options.bwlimit, 0),
    ...integerIssue('restartTimeoutSeconds', options.restartTimeoutSeconds, 0),
    ...functionIssue('onProgress', options.onProgress),
  );
  refuseOptions('migration plan or options', issues);
}

type RunOptions = ExecuteMigrationsOptions & {
  apply: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  claims: Map<number, number>;
  /** This move's position in the plan. */
  index: number;
};

/** What the checks learned about a guest that shapes its migrate request. */
interface MoveShape {
  running: boolean;
  /** Non-CD-ROM local disks: a VM needs `with-local-disks=1` for them. */
  hasLocalDisks: boolean;
}

/** Checks one move, describes its request and, with `apply`, sends it and waits for its task. */
async function runMove(
  client: ProxmoxClient,
  move: MigrationMove,
  report: MigrationMoveReport,
  resources: ClusterResource[],
  options: RunOptions,
  emit: (event: MigrationProgressEvent) => void,
): Promise<void> {
  const listed = checkAgainstListing(move, resources);
  if ('refusal' in listed) return refuse(report, listed.refusal);
  report.haManaged = listed.row.hastate !== undefined;

  const precondition = await readPrecondition(client, move, options.signal);
  if (precondition !== undefined) report.precondition = precondition;
  const localDisks = precondition?.localDisks.filter((disk) => !disk.cdrom) ?? [];
  const shape: MoveShape = {
    running: precondition?.running ?? listed.row.status === 'running',
    hasLocalDisks: localDisks.length > 0,
  };
  const refusal =
    (precondition === undefined ? undefined : refusalFromPrecondition(move, precondition, resources)) ??
    refusalFromMoveOptions(move, localDisks, shape.running);
  if (refusal !== undefined) return refuse(report, refusal);
  // Two moves of one guest would send two migrations (at once with `parallel`); the first move
  // that passes its checks claims the guest (checked and set without an await in between).
  const claimedBy = options.claims.get(move.vmid);
  if (claimedBy !== undefined)
    return refuse(report, `guest ${move.vmid} is already moved by move ${claimedBy} of this plan`);
  options.claims.set(move.vmid, options.index);

  report.request = describeRequest(move, shape, report.haManaged, options);
  if (!options.apply) {
    report.status = 'planned';
    report.reason = 'dry run: nothing was changed';
    return;
  }
  await applyMove(client, move, shape, report, options, emit);
}

function refuse(report: MigrationMoveReport, reason: string): void {
  report.status = 'refused';
  report.reason = reason;
}

/** The request that is (apply) or would be (dry run) sent, as the report shows it. */
function describeRequest(
  move: MigrationMove,
  shape: MoveShape,
  haManaged: boolean,
  options: RunOptions,
): NonNullable<MigrationMoveReport['request']> {
  if (haManaged) {
    return {
      method: 'POST',
      path: `/cluster/ha/resources/${move.kind}:${move.vmid}/migrate`,
      params: { node: move.target },
    };
  }
  const params: Record<string, string | number> = { target: move.target };
  if (move.kind === 'vm') {
    if (shape.running) params.online = 1;
    if (shape.hasLocalDisks) params['with-local-disks'] = 1;
    if (move.targetStorage !== undefined) params.targetstorage = move.targetStorage;
  } else {
    if (shape.running) params.restart = 1;
    if (shape.running && options.restartTimeoutSeconds !== undefined)
      params.timeout = options.restartTimeoutSeconds;
    if (move.targetStorage !== undefined) params['target-storage'] = move.targetStorage;
  }
  if (options.bwlimit !== undefined) params.bwlimit = options.bwlimit;
  const apiKind = move.kind === 'vm' ? 'qemu' : 'lxc';
  return { method: 'POST', path: `/nodes/${move.source}/${apiKind}/${move.vmid}/migrate`, params };
}

/** Sends the migration, waits for its task and records the outcome on the report. */
async function applyMove(
  client: ProxmoxClient,
  move: MigrationMove,
  shape: MoveShape,
  report: MigrationMoveReport,
  options: RunOptions,
  emit: (event: MigrationProgressEvent) => void,
): Promise<void> {
  const startedAt = Date.now();
  report.startedAt = startedAt;
  const deadline = startedAt + options.timeoutMs;
  const upid = await sendMigration(client, move, shape, report, deadline, options);
  if (upid === undefined) return;
  report.upid = upid;
  emit({ vmid: move.vmid, status: 'started', upid });
  const taskNode = parseUpid(upid)?.node ?? move.source;
  const status = await waitForTask(client, taskNode, upid, deadline, options.pollIntervalMs, options.signal);
  report.finishedAt = Date.now();
  report.durationMs = report.finishedAt - startedAt;
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

/**
 * POSTs the migration and returns the UPID of the task that moves the guest, or `undefined`
 * when the move already failed (recorded on the report).
 */
async function sendMigration(
  client: ProxmoxClient,
  move: MigrationMove,
  shape: MoveShape,
  report: MigrationMoveReport,
  deadline: number,
  options: RunOptions,
): Promise<string | undefined> {
  const signal = options.signal;
  const taskType = move.kind === 'vm' ? 'qmigrate' : 'vzmigrate';
  if (report.haManaged) {
    const before = await existingTasks(client, move, taskType, signal);
    await client.migrateHaResource(`${move.kind}:${move.vmid}`, move.target, { signal });
    return findSpawnedTask(client, move, taskType, before, deadline, options.pollIntervalMs, signal);
  }
  const common = {
    target: move.target,
    ...(move.targetStorage === undefined ? {} : { targetStorage: move.targetStorage }),
    ...(options.bwlimit === undefined ? {} : { bwlimit: options.bwlimit }),
  };
  if (move.kind === 'ct') {
    const restart = shape.running
      ? {
          restart: true,
          ...(options.restartTimeoutSeconds === undefined ? {} : { timeout: options.restartTimeoutSeconds }),
        }
      : {};
    return client.migrateContainer(move.source, move.vmid, { ...common, ...restart }, { signal });
  }
  const upid = await client.migrateVm(
    move.source,
    move.vmid,
    {
      ...common,
      ...(shape.running ? { online: true } : {}),
      ...(shape.hasLocalDisks ? { withLocalDisks: true } : {}),
    },
    { signal },
  );
  const parsed = parseUpid(upid);
  return parsed?.type === 'hamigrate'
    ? followHaMigrateRequest(client, move, report, upid, parsed, deadline, options)
    : upid;
}

/**
 * The guest turned out to be HA-managed: PVE answered the plain migrate with a `hamigrate` task
 * that only queues `ha-manager migrate`. Waits for that request, then finds the migration task
 * the HA stack spawned after it.
 */
async function followHaMigrateRequest(
  client: ProxmoxClient,
  move: MigrationMove,
  report: MigrationMoveReport,
  upid: string,
  parsed: { node: string; starttime: number },
  deadline: number,
  options: RunOptions,
): Promise<string | undefined> {
  report.haManaged = true;
  report.upid = upid;
  const request = await waitForTask(
    client,
    parsed.node,
    upid,
    deadline,
    options.pollIntervalMs,
    options.signal,
  );
  if (request.exitstatus !== 'OK') {
    report.status = 'failed';
    report.exitStatus = request.exitstatus ?? 'unknown';
    report.reason = `HA migrate request failed: ${report.exitStatus}`;
    return undefined;
  }
  const none = new Set<string>();
  return findSpawnedTask(
    client,
    move,
    'qmigrate',
    none,
    deadline,
    options.pollIntervalMs,
    options.signal,
    parsed.starttime,
  );
}

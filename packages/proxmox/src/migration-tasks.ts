import { AbortedError, CollectorError } from '@ballast/core';
import { sleep } from './abortable-sleep';
import type { ProxmoxClient } from './proxmox-client';
import type { TaskStatus } from './wire-schemas';

/** The guest a task belongs to, for the task listing's filters and for error messages. */
export interface TaskGuest {
  vmid: number;
  kind: 'vm' | 'ct';
  /** The node whose task list is read. */
  source: string;
}

/** Polls a task until it stops or the deadline passes (then returns the last, running status). */
export async function waitForTask(
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

/**
 * Finds the `qmigrate`/`vzmigrate` task the HA stack spawned for a guest: the first task of that
 * type (since `since`, when given) whose UPID is not in `before`.
 */
export async function findSpawnedTask(
  client: ProxmoxClient,
  guest: TaskGuest,
  taskType: string,
  before: ReadonlySet<string>,
  deadline: number,
  pollIntervalMs: number,
  signal: AbortSignal | undefined,
  since?: number,
): Promise<string> {
  for (;;) {
    const tasks = await client.listNodeTasks(guest.source, {
      vmid: guest.vmid,
      typefilter: taskType,
      ...(since === undefined ? {} : { since }),
      signal,
    });
    const spawned = tasks.find((task) => !before.has(task.upid));
    if (spawned !== undefined) return spawned.upid;
    if (Date.now() >= deadline) {
      throw new CollectorError({
        message: `the HA stack started no ${taskType} task for ${guest.kind}:${guest.vmid} before the timeout`,
        source: 'proxmox',
        endpoint: `GET /nodes/${guest.source}/tasks`,
      });
    }
    await sleep(pollIntervalMs, signal);
  }
}

/** The UPIDs of the guest's tasks of one type that exist now, to tell a newly spawned one apart. */
export async function existingTasks(
  client: ProxmoxClient,
  guest: TaskGuest,
  taskType: string,
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const tasks = await client.listNodeTasks(guest.source, { vmid: guest.vmid, typefilter: taskType, signal });
  return new Set(tasks.map((task) => task.upid));
}

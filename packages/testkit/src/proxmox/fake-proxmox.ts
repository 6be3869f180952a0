import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from '../http/loopback-server';
import {
  type ClusterSimulator,
  type ClusterSimulatorOptions,
  createClusterSimulator,
  type SimulatedGuest,
} from './cluster-simulator';
import type { RrdConsolidation, RrdTimeframe } from './rrd-format';
import {
  bit,
  renderClusterResources,
  renderClusterStatus,
  renderHaGroups,
  renderHaResources,
  renderHaRules,
  renderHaStatus,
  renderNodeStatus,
  renderNodeStorage,
  renderStorageContent,
} from './wire-format';

/** A fault injected for matching requests. */
export type FakeProxmoxFaultKind =
  | { type: 'status'; status: number; message?: string }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'reset' };

/** Which requests a fault applies to, and how many times. */
export interface FakeProxmoxFault {
  /** `GET`, `POST`…; any method when omitted. */
  method?: string;
  /** Path after `/api2/json`, without the query (`/cluster/resources`), or a pattern. */
  path: string | RegExp;
  fault: FakeProxmoxFaultKind;
  /** How many matching requests it hits; every one when omitted. */
  times?: number;
}

/** Options of {@link startFakeProxmox}. */
export interface FakeProxmoxOptions {
  /** The cluster to serve. */
  simulator?: ClusterSimulator;
  /** Or options to create one. */
  cluster?: ClusterSimulatorOptions;
  /** `USER@REALM!TOKENID`; requests must carry `PVEAPIToken=<tokenId>=<tokenSecret>`. */
  tokenId: string;
  tokenSecret: string;
  /** How long a migration task runs. Default 100 ms. */
  migrationDurationMs?: number;
  /**
   * When given, migration tasks also wait for this promise before they finish, so a test can see a
   * task `running` for as long as it likes, whatever the machine's speed.
   */
  holdMigrationsUntil?: Promise<unknown>;
  /** Make a migration task fail: `true` → exit status `migration aborted`, a string → that exit status. */
  failMigrations?: (vmid: number) => boolean | string;
  faults?: FakeProxmoxFault[];
  /**
   * Verbatim bodies served instead of the simulator, keyed `'GET /cluster/resources'` (path after
   * `/api2/json`, no query). Use it to serve recorded fixtures (`{"data": ...}`).
   */
  responses?: Record<string, unknown>;
  /** Default 0 (a free port). Always bound to 127.0.0.1. */
  port?: number;
}

/** A request the fake received (the `authorization` header is kept as sent, for auth tests). */
export interface FakeProxmoxRequest {
  method: string;
  /** Path after `/api2/json`, without the query. */
  path: string;
  query: Record<string, string>;
  body: Record<string, string>;
  headers: IncomingHttpHeaders;
  receivedAt: number;
}

/** A task (UPID) the fake started. */
export interface FakeProxmoxTask {
  upid: string;
  node: string;
  type: 'qmigrate' | 'vzmigrate' | 'hamigrate';
  vmid: number;
  user: string;
  tokenid?: string | undefined;
  pid: number;
  pstart: number;
  starttime: number;
  status: 'running' | 'stopped';
  exitstatus?: string | undefined;
  endtime?: number | undefined;
  target: string;
}

/** A running fake Proxmox VE API. */
export interface FakeProxmox {
  /** `http://127.0.0.1:<port>` (the API lives under `/api2/json`). */
  readonly url: string;
  readonly port: number;
  readonly requests: FakeProxmoxRequest[];
  readonly tasks: FakeProxmoxTask[];
  readonly cluster: ClusterSimulator;
  addFault(fault: FakeProxmoxFault): void;
  clearFaults(): void;
  /** Stops listening, cancels running tasks and destroys every connection (including hung ones). */
  close(): Promise<void>;
}

class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

const prefix = '/api2/json';

/**
 * Starts a fake Proxmox VE API on 127.0.0.1 that speaks the real wire format (`{"data": ...}`,
 * `0/1` booleans, omitted RRD keys, PVE 8 vs 9 field sets), checks the `PVEAPIToken` header, and
 * performs migrations as tasks with real-format UPIDs that take time, then move the guest in the
 * simulator. Faults (status, delay, hang, reset) can be injected per path.
 *
 * @example
 * ```ts
 * const pve = await startFakeProxmox({ cluster: { seed: 1, nodes: 3, guests: 12 }, tokenId: 'ballast@pve!ci', tokenSecret: 'uuid' });
 * // point a client at pve.url, then:
 * await pve.close();
 * ```
 */
export async function startFakeProxmox(options: FakeProxmoxOptions): Promise<FakeProxmox> {
  const cluster =
    options.simulator ??
    createClusterSimulator(options.cluster ?? { seed: 1, nodes: 3, guests: 12, pveVersion: 9 });
  const requests: FakeProxmoxRequest[] = [];
  const tasks: FakeProxmoxTask[] = [];
  const faults: Array<FakeProxmoxFault & { used: number }> = (options.faults ?? []).map((fault) => ({
    ...fault,
    used: 0,
  }));
  const timers = new Set<NodeJS.Timeout>();
  const duration = options.migrationDurationMs ?? 100;
  let closing = false;
  let nextPid = 0x1a2b0;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closing) run();
    }, ms);
    timers.add(timer);
  };
  const wait = (ms: number) => new Promise<void>((resolve) => later(ms, resolve));

  const [tokenUser] = options.tokenId.split('!');
  const tokenName = options.tokenId.slice((tokenUser?.length ?? 0) + 1);

  const startTask = (
    node: string,
    type: FakeProxmoxTask['type'],
    vmid: number,
    target: string,
    asCrm: boolean,
  ): FakeProxmoxTask => {
    const pid = nextPid++;
    const starttime = Math.floor(Date.now() / 1000);
    const pstart = 0x3c0000 + pid;
    const user = asCrm ? 'root@pam' : (tokenUser ?? 'root@pam');
    const userField = asCrm ? 'root@pam' : options.tokenId;
    const hex = (value: number) => value.toString(16).toUpperCase().padStart(8, '0');
    const task: FakeProxmoxTask = {
      upid: `UPID:${node}:${hex(pid)}:${hex(pstart)}:${hex(starttime)}:${type}:${vmid}:${userField}:`,
      node,
      type,
      vmid,
      user,
      tokenid: asCrm ? undefined : tokenName,
      pid,
      pstart,
      starttime,
      status: 'running',
      target,
    };
    tasks.push(task);
    return task;
  };
  const finishTask = (task: FakeProxmoxTask, exitstatus: string) => {
    task.status = 'stopped';
    task.exitstatus = exitstatus;
    task.endtime = Math.floor(Date.now() / 1000);
  };

  const storageOn = (storageId: string, node: string) =>
    cluster.storages.some((storage) => storage.id === storageId && storage.nodes.includes(node));
  const localDisks = (guest: SimulatedGuest) =>
    guest.disks.filter((disk) => !cluster.storages.find((storage) => storage.id === disk.storage)?.shared);
  const blockingNodes = (guest: SimulatedGuest): Map<string, string> => {
    // Strict HA node-affinity (PVE 9 rules, PVE 8 restricted groups) forbids the other nodes.
    const blocked = new Map<string, string>();
    const sidOf = `${guest.kind === 'lxc' ? 'ct' : 'vm'}:${guest.vmid}`;
    const allow = (nodes: string) => new Set(nodes.split(',').map((entry) => entry.split(':')[0]));
    for (const rule of cluster.haRules) {
      if (rule.disable || rule.type !== 'node-affinity' || !rule.strict || rule.nodes === undefined) continue;
      if (!rule.resources.split(',').includes(sidOf)) continue;
      const allowed = allow(rule.nodes);
      for (const node of cluster.nodes) if (!allowed.has(node.name)) blocked.set(node.name, 'node-affinity');
    }
    for (const group of cluster.haGroups) {
      if (!group.restricted || guest.haGroup !== group.group) continue;
      const allowed = allow(group.nodes);
      for (const node of cluster.nodes) if (!allowed.has(node.name)) blocked.set(node.name, 'node-affinity');
    }
    return blocked;
  };

  const findGuest = (node: string, kind: 'qemu' | 'lxc', vmid: number): SimulatedGuest => {
    const guest = cluster.guest(vmid);
    if (guest === undefined || guest.kind !== kind || guest.node !== node) {
      throw new PveError(
        500,
        `Configuration file 'nodes/${node}/${kind === 'qemu' ? 'qemu-server' : 'lxc'}/${vmid}.conf' does not exist`,
      );
    }
    return guest;
  };
  const onlineNode = (name: string) => {
    const node = cluster.node(name);
    if (node === undefined) throw new PveError(500, `no such cluster node '${name}'`);
    if (!node.online) throw new PveError(595, `Connection refused`);
    return node;
  };

  const precondition = (guest: SimulatedGuest): Record<string, unknown> => {
    const running = guest.status === 'running';
    const disks = localDisks(guest);
    const result: Record<string, unknown> = {
      running: bit(running),
      local_disks: disks.map((disk) => ({
        volid: disk.volid,
        size: disk.sizeBytes,
        ...(guest.kind === 'qemu' ? { cdrom: bit(disk.key.startsWith('ide')), is_unused: 0 } : {}),
        ...(cluster.pveVersion === 9 ? { referenced_in_config: 1 } : {}),
      })),
      local_resources: [...guest.localResources],
      'mapped-resources': [],
    };
    // PVE 8 reports allowed/not-allowed nodes only for stopped VMs; PVE 9 always does.
    if (!running || cluster.pveVersion === 9) {
      const allowed: string[] = [];
      const notAllowed: Record<string, Record<string, unknown>> = {};
      const blocked = blockingNodes(guest);
      for (const node of cluster.nodes) {
        if (node.name === guest.node || !node.online) continue;
        const unavailable = [...new Set(guest.disks.map((disk) => disk.storage))].filter(
          (storage) => !storageOn(storage, node.name),
        );
        const cause = blocked.get(node.name);
        if (unavailable.length === 0 && cause === undefined) {
          allowed.push(node.name);
          continue;
        }
        const entry: Record<string, unknown> = {};
        if (unavailable.length > 0) entry.unavailable_storages = unavailable;
        if (cause !== undefined && cluster.pveVersion === 9) {
          entry['blocking-ha-resources'] = [{ sid: `vm:${guest.vmid}`, cause }];
        }
        notAllowed[node.name] = entry;
      }
      result.allowed_nodes = allowed;
      result.not_allowed_nodes = notAllowed;
    }
    if (cluster.pveVersion === 9) {
      result['has-dbus-vmstate'] = bit(guest.kind === 'qemu');
      result['mapped-resource-info'] = {};
      result['dependent-ha-resources'] = [];
    }
    return result;
  };

  /** Runs the migration: waits, then fails or moves the guest. */
  const runMigration = (task: FakeProxmoxTask, guest: SimulatedGuest, abortReason: string | undefined) => {
    guest.lock = 'migrate';
    const hold = options.holdMigrationsUntil;
    const complete = () => {
      guest.lock = undefined;
      const scripted = options.failMigrations?.(guest.vmid);
      const failure = abortReason ?? (scripted === true ? 'migration aborted' : scripted || undefined);
      if (failure !== undefined) {
        finishTask(task, failure);
        return;
      }
      cluster.moveGuest(guest.vmid, task.target);
      finishTask(task, 'OK');
    };
    later(duration, () => {
      if (hold === undefined) complete();
      else
        void hold.then(() => {
          if (!closing) complete();
        });
    });
  };

  const migrate = (
    node: string,
    kind: 'qemu' | 'lxc',
    vmid: number,
    body: Record<string, string>,
    viaHa: boolean,
  ): FakeProxmoxTask => {
    const guest = findGuest(node, kind, vmid);
    const target = body.target;
    if (target === undefined || target === '') {
      throw new PveError(400, 'Parameter verification failed.', {
        target: 'property is missing and it is not optional',
      });
    }
    if (target === node)
      throw new PveError(400, 'Parameter verification failed.', { target: 'target is local node.' });
    onlineNode(target);
    if (guest.lock !== undefined)
      throw new PveError(500, `${kind === 'qemu' ? 'VM' : 'CT'} is locked (${guest.lock})`);
    const running = guest.status === 'running';
    if (guest.haManaged && !viaHa) {
      // PVE hands HA-managed guests to the HA stack: the API task only queues `ha-manager migrate`.
      const ha = startTask(node, 'hamigrate', vmid, target, false);
      later(20, () => {
        finishTask(ha, 'OK');
        const real = startTask(node, kind === 'qemu' ? 'qmigrate' : 'vzmigrate', vmid, target, true);
        runMigration(real, guest, undefined);
      });
      return ha;
    }
    if (kind === 'qemu' && running && !viaHa && body.online !== '1') {
      throw new PveError(500, "can't migrate running VM without --online");
    }
    if (kind === 'lxc' && running && !viaHa && body.restart !== '1') {
      throw new PveError(500, 'CT is running - use restart migration');
    }
    const targetStorage = body.targetstorage ?? body['target-storage'];
    for (const storage of new Set(guest.disks.map((disk) => disk.storage))) {
      if (targetStorage === undefined && !storageOn(storage, target)) {
        throw new PveError(500, `storage '${storage}' is not available on node '${target}'`);
      }
    }
    let abortReason: string | undefined;
    if (kind === 'qemu' && localDisks(guest).length > 0 && body['with-local-disks'] !== '1' && !viaHa) {
      abortReason = 'migration aborted';
    }
    if (guest.localResources.length > 0) abortReason = 'migration aborted';
    const task = startTask(node, kind === 'qemu' ? 'qmigrate' : 'vzmigrate', vmid, target, viaHa);
    runMigration(task, guest, abortReason);
    return task;
  };

  const route = (
    method: string,
    path: string,
    query: Record<string, string>,
    body: Record<string, string>,
  ) => {
    const haMigrate =
      method === 'POST' ? /^\/cluster\/ha\/resources\/(vm|ct):(\d+)\/migrate$/.exec(path) : null;
    const nodePath = /^\/nodes\/([^/]+)\/(.*)$/.exec(path);
    if (method === 'GET' && path === '/version') {
      return cluster.pveVersion === 9
        ? { version: '9.0.10', release: '9.0', repoid: 'deadbeef' }
        : { version: '8.4.1', release: '8.4', repoid: '2a5fa54a8503f96d' };
    }
    if (method === 'GET' && path === '/cluster/resources') return renderClusterResources(cluster, query.type);
    if (method === 'GET' && path === '/cluster/status') return renderClusterStatus(cluster);
    if (method === 'GET' && path === '/cluster/options') {
      return { keyboard: 'en-us', console: 'html5', crs: 'ha=static', migration: 'secure' };
    }
    if (method === 'GET' && path === '/cluster/ha/status/current') return renderHaStatus(cluster);
    if (method === 'GET' && path === '/cluster/ha/resources') return renderHaResources(cluster);
    if (method === 'GET' && path === '/cluster/ha/rules') {
      if (cluster.pveVersion !== 9) throw new PveError(501, "Method 'GET /cluster/ha/rules' not implemented");
      return renderHaRules(cluster);
    }
    if (method === 'GET' && path === '/cluster/ha/groups') return renderHaGroups(cluster);
    if (haMigrate) {
      const match = haMigrate;
      const vmid = Number(match[2]);
      const guest = cluster.guest(vmid);
      if (guest === undefined || !guest.haManaged)
        throw new PveError(500, `service '${match[1]}:${vmid}' is not managed by ha`);
      const target = body.node;
      if (target === undefined)
        throw new PveError(400, 'Parameter verification failed.', {
          node: 'property is missing and it is not optional',
        });
      onlineNode(target);
      const source = guest.node;
      later(20, () => {
        try {
          migrate(source, guest.kind, vmid, { target }, true);
        } catch {
          // The CRM logs and gives up; nothing to report to the original caller.
        }
      });
      return cluster.pveVersion === 9
        ? {
            sid: `${match[1]}:${vmid}`,
            'requested-node': target,
            'comigrated-resources': [],
            'blocking-resources': [],
          }
        : null;
    }
    if (method === 'GET' && path === '/nodes') {
      return cluster.nodes.map((node) => ({
        node: node.name,
        status: node.online ? 'online' : 'offline',
        type: 'node',
        id: `node/${node.name}`,
        maxcpu: node.maxcpu,
        maxmem: node.maxmem,
        level: '',
      }));
    }
    if (nodePath) {
      const match = nodePath;
      const nodeName = match[1]!;
      const rest = match[2]!;
      const node = onlineNode(nodeName);
      if (method === 'GET' && rest === 'status') return renderNodeStatus(cluster, node);
      if (method === 'GET' && rest === 'storage') return renderNodeStorage(cluster, node);
      const contentMatch = /^storage\/([^/]+)\/content$/.exec(rest);
      if (method === 'GET' && contentMatch) {
        const storageId = decodeURIComponent(contentMatch[1]!);
        const volumes = renderStorageContent(cluster, node, storageId);
        if (volumes === undefined) throw new PveError(500, `storage '${storageId}' does not exist`);
        return volumes;
      }
      if (method === 'GET' && rest === 'rrddata') {
        return cluster.nodeRrd(nodeName, timeframeOf(query), cfOf(query));
      }
      let guestMatch = /^(qemu|lxc)\/(\d+)\/rrddata$/.exec(rest);
      if (method === 'GET' && guestMatch) {
        const guest = findGuest(nodeName, guestMatch[1] as 'qemu' | 'lxc', Number(guestMatch[2]));
        return cluster.guestRrd(guest.vmid, timeframeOf(query), cfOf(query));
      }
      guestMatch = /^(qemu|lxc)\/(\d+)\/migrate$/.exec(rest);
      if (guestMatch) {
        const kind = guestMatch[1] as 'qemu' | 'lxc';
        const vmid = Number(guestMatch[2]);
        if (method === 'GET') {
          if (kind === 'lxc' && cluster.pveVersion !== 9) {
            throw new PveError(501, `Method 'GET /nodes/${nodeName}/lxc/${vmid}/migrate' not implemented`);
          }
          return precondition(findGuest(nodeName, kind, vmid));
        }
        if (method === 'POST') return migrate(nodeName, kind, vmid, body, false).upid;
      }
      if (method === 'GET' && rest === 'tasks') {
        const source = query.source ?? 'archive';
        return tasks
          .filter((task) => task.node === nodeName)
          .filter((task) =>
            source === 'all'
              ? true
              : source === 'active'
                ? task.status === 'running'
                : task.status === 'stopped',
          )
          .filter((task) => query.vmid === undefined || String(task.vmid) === query.vmid)
          .filter((task) => query.typefilter === undefined || task.type === query.typefilter)
          .filter((task) => query.since === undefined || task.starttime >= Number(query.since))
          .slice(-(Number(query.limit ?? 50) || 50))
          .reverse()
          .map((task) => ({
            upid: task.upid,
            node: task.node,
            pid: task.pid,
            pstart: task.pstart,
            starttime: task.starttime,
            type: task.type,
            id: String(task.vmid),
            user: task.user,
            ...(task.tokenid === undefined ? {} : { tokenid: task.tokenid }),
            ...(task.status === 'stopped' ? { status: task.exitstatus, endtime: task.endtime } : {}),
          }));
      }
      const taskMatch = /^tasks\/([^/]+)\/status$/.exec(rest);
      if (method === 'GET' && taskMatch) {
        const upid = taskMatch[1]!;
        const task = tasks.find((entry) => entry.upid === upid);
        if (task === undefined || task.node !== nodeName) throw new PveError(500, `no such task`);
        return {
          upid: task.upid,
          node: task.node,
          pid: task.pid,
          pstart: task.pstart,
          starttime: task.starttime,
          type: task.type,
          id: String(task.vmid),
          user: task.user,
          ...(task.tokenid === undefined ? {} : { tokenid: task.tokenid }),
          status: task.status,
          ...(task.status === 'stopped' ? { exitstatus: task.exitstatus } : {}),
        };
      }
    }
    throw new PveError(501, `Method '${method} ${path}' not implemented`);
  };

  const isAuthorized = (headers: IncomingHttpHeaders): 'ok' | 'missing' | 'invalid' => {
    const header = headers.authorization;
    if (typeof header !== 'string') return 'missing';
    const match = /(?:^|\s)PVEAPIToken(?:=| )([^;]*)/.exec(header);
    if (!match) return 'missing';
    return match[1]?.trim() === `${options.tokenId}=${options.tokenSecret}` ? 'ok' : 'invalid';
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const method = incoming.method ?? 'GET';
    const fullPath = safeDecode(url.pathname);
    const path = fullPath.startsWith(prefix) ? fullPath.slice(prefix.length) || '/' : fullPath;
    const query = Object.fromEntries(url.searchParams);
    const body = parseBody(raw, incoming.headers['content-type']);
    requests.push({ method, path, query, body, headers: incoming.headers, receivedAt: Date.now() });

    if (!fullPath.startsWith(prefix)) return sendJson(response, 404, 'Not Found', { data: null });
    const auth = isAuthorized(incoming.headers);
    if (auth !== 'ok') {
      return sendJson(response, 401, auth === 'missing' ? 'No ticket' : 'authentication failure', {
        data: null,
      });
    }

    const fault = faults.find(
      (entry) =>
        (entry.method === undefined || entry.method.toUpperCase() === method) &&
        (typeof entry.path === 'string' ? entry.path === path : entry.path.test(path)) &&
        (entry.times === undefined || entry.used < entry.times),
    );
    if (fault !== undefined) {
      fault.used++;
      const kind = fault.fault;
      if (kind.type === 'delay') await wait(kind.ms);
      else if (kind.type === 'hang') return;
      else if (kind.type === 'reset') {
        incoming.socket.destroy();
        return;
      } else {
        const message = kind.message ?? 'injected fault';
        return sendJson(response, kind.status, message, { data: null, message: `${message}\n` });
      }
    }
    if (closing) return;

    const override = options.responses?.[`${method} ${path}`];
    if (override !== undefined) return sendJson(response, 200, 'OK', override);
    try {
      const data = route(method, path, query, body);
      sendJson(response, 200, 'OK', { data });
    } catch (error) {
      if (error instanceof PveError) {
        const payload: Record<string, unknown> = { data: null, message: `${error.message}\n` };
        if (error.errors !== undefined) payload.errors = error.errors;
        return sendJson(response, error.status, error.message, payload);
      }
      throw error;
    }
  };

  const server = await listenOnLoopback({
    port: options.port,
    handle,
    onHandlerError: (response, error) =>
      sendJson(response, 500, 'internal error', { data: null, message: String(error) }),
    beforeClose: () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  });
  const { port } = server;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    tasks,
    cluster,
    addFault: (fault) => {
      faults.push({ ...fault, used: 0 });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    close: () => server.close(),
  };
}

const timeframes: RrdTimeframe[] = ['hour', 'day', 'week', 'month', 'year', 'decade'];

function timeframeOf(query: Record<string, string>): RrdTimeframe {
  const value = query.timeframe;
  if (value === undefined || !timeframes.includes(value as RrdTimeframe)) {
    throw new PveError(400, 'Parameter verification failed.', {
      timeframe: `value '${value ?? ''}' does not have a value in the enumeration 'hour, day, week, month, year, decade'`,
    });
  }
  return value as RrdTimeframe;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function cfOf(query: Record<string, string>): RrdConsolidation {
  return query.cf === 'MAX' ? 'MAX' : 'AVERAGE';
}

function parseBody(raw: string, contentType: string | undefined): Record<string, string> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function sendJson(response: ServerResponse, status: number, statusMessage: string, body: unknown): void {
  // PVE puts the error text in the HTTP reason phrase; keep it to one header-safe line.
  const reason = statusMessage.replace(/[^\t\x20-\x7e]/g, ' ').slice(0, 200);
  response.writeHead(status, reason, { 'content-type': 'application/json;charset=UTF-8' });
  response.end(JSON.stringify(body));
}

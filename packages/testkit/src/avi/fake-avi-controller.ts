import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { appendBounded } from '../http/bounded-log';
import { listenOnLoopback, readBody } from '../http/loopback-server';
import { dropConnection } from '../http/traffic-gauge';
import { createDefaultAviSeed, type FakeAviSeed, RECORDED_AVI_ORIGIN } from './avi-seed';

/**
 * A fault injected for matching requests:
 * - `html`: a 200 with an HTML page (a login portal or proxy in the way);
 * - `status`: that status with an Avi-style `{"error": …}` body (or `body`);
 * - `truncated-json`: a 200 whose JSON body is cut in half;
 * - `expire-session`: the caller's session expires now, and this request gets 419;
 * - `reset`: the connection is dropped without an answer.
 */
export type FakeAviFaultKind =
  | { type: 'html' }
  | { type: 'status'; status: number; body?: unknown }
  | { type: 'truncated-json' }
  | { type: 'expire-session' }
  | { type: 'reset' };

/** Which requests a fault hits. */
export interface FakeAviFault {
  method?: string;
  /** Path without the query (`/api/pool`), or a pattern. */
  path: string | RegExp;
  /** Only requests whose query has these values (e.g. `{ page: '2' }` to hit the second page). */
  query?: Record<string, string>;
  fault: FakeAviFaultKind;
  /** How many matching requests it hits; every one when omitted. */
  times?: number;
}

/** Options of {@link startFakeAviController}. */
export interface FakeAviControllerOptions {
  username?: string;
  /** Default `avi-fake-password`. */
  password?: string;
  seed?: FakeAviSeed;
  /** `page_size` when a request gives none. Default 25. */
  defaultPageSize?: number;
  faults?: FakeAviFault[];
  /** Clock for analytics timestamps (epoch ms). Default `Date.now`. */
  now?: () => number;
  port?: number;
}

/** A request the fake received. */
export interface FakeAviRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
}

/** A write the fake applied. */
export interface FakeAviWrite {
  method: string;
  path: string;
  body: unknown;
  tenant: string;
}

/** A running fake Avi controller. */
export interface FakeAviController {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Every request, oldest first (at most 2 000). */
  readonly requests: FakeAviRequest[];
  /** Every write applied (POST/PUT/PATCH/DELETE other than login, logout and analytics). */
  readonly writes: FakeAviWrite[];
  /** Number of successful logins. */
  readonly logins: number;
  /** The current objects of a type, as stored (refs on the recorded host). */
  objects(type: string): Array<Record<string, unknown>>;
  addFault(fault: FakeAviFault): void;
  clearFaults(): void;
  /** Expires every session: their next request gets 419. */
  expireSessions(): void;
  close(): Promise<void>;
}

interface Session {
  id: string;
  csrf: string;
  expired: boolean;
}

class AviHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly raw = false,
  ) {
    super(message);
  }
}

const collectionTypes = new Set([
  'virtualservice',
  'pool',
  'poolgroup',
  'vsvip',
  'serviceengine',
  'serviceenginegroup',
  'healthmonitor',
  'cloud',
  'tenant',
  'sslkeyandcertificate',
  'useraccount',
  'systemconfiguration',
]);
const vsActions = new Set(['scaleout', 'scalein', 'migrate', 'switchover', 'resync']);
const poolActions = new Set(['scaleout', 'scalein']);

/**
 * Starts a fake VMware Avi controller on 127.0.0.1 in the real wire format: `POST /login` sets
 * `csrftoken`, `avi-sessionid` and `sessionid` cookies; every API call needs the session cookie
 * (401 without it, 419 once the session expired); writes need `X-CSRFToken` equal to the
 * `csrftoken` cookie and a `Referer` (401 `CSRF token missing or incorrect.` otherwise) and rotate
 * the token; lists page with `page`/`page_size` (≤ 200) and an absolute `next`; the three
 * `*-inventory` endpoints and analytics (`GET /api/analytics/metrics/{entity}/{uuid}`, `POST
 * /api/analytics/metrics/collection`) serve the seed's runtime state and series. Seeded from the
 * alb-sdk cassettes plus a demo scenario (see `createDefaultAviSeed`).
 *
 * @example
 * ```ts
 * const avi = await startFakeAviController();
 * const client = createAviClient({ baseUrl: avi.url, username: avi.username, password: avi.password });
 * avi.addFault({ path: '/api/pool', query: { page: '2' }, fault: { type: 'expire-session' }, times: 1 });
 * await avi.close();
 * ```
 */
export async function startFakeAviController(
  options: FakeAviControllerOptions = {},
): Promise<FakeAviController> {
  const username = options.username ?? 'admin';
  const password = options.password ?? 'avi-fake-password';
  const seed = structuredClone(options.seed ?? createDefaultAviSeed());
  const store = new Map<string, Array<Record<string, unknown>>>(Object.entries(seed.objects));
  const defaultPageSize = options.defaultPageSize ?? 25;
  const now = options.now ?? Date.now;
  const faults: Array<FakeAviFault & { hits: number }> = (options.faults ?? []).map((fault) => ({
    ...fault,
    hits: 0,
  }));
  const sessions = new Map<string, Session>();
  const requests: FakeAviRequest[] = [];
  const writes: FakeAviWrite[] = [];
  let logins = 0;
  let origin = '';

  const objectsOf = (type: string) => {
    let list = store.get(type);
    if (!list) {
      list = [];
      store.set(type, list);
    }
    return list;
  };

  const tenantOf = (headers: IncomingHttpHeaders): { uuid: string; name: string } => {
    const byUuid = header(headers, 'x-avi-tenant-uuid');
    const byName = header(headers, 'x-avi-tenant') ?? (byUuid === undefined ? 'admin' : undefined);
    const tenant = objectsOf('tenant').find((item) =>
      byUuid !== undefined ? item.uuid === byUuid : item.name === byName,
    );
    if (!tenant)
      throw new AviHttpError(403, `Tenant ${byUuid ?? byName} does not exist or is not accessible`);
    return { uuid: String(tenant.uuid), name: String(tenant.name) };
  };

  const inTenant = (item: Record<string, unknown>, tenant: { uuid: string }) => {
    const tenantRef = item.tenant_ref;
    // Objects without a tenant (clouds, SEs, SE groups, tenants) are visible from every tenant.
    if (typeof tenantRef !== 'string') return true;
    return tenantRef.split('#')[0]!.endsWith(`/tenant/${tenant.uuid}`);
  };

  const render = (value: unknown, includeName: boolean): unknown => {
    let text = JSON.stringify(value).split(RECORDED_AVI_ORIGIN).join(origin);
    if (includeName) text = addRefNames(text);
    return JSON.parse(text);
  };

  // `include_name=true`: every ref gets `#<name>` of the object it points at.
  const addRefNames = (text: string) =>
    text.replace(
      new RegExp(`"(${escapeRegExp(origin)}/api/([a-z-]+)/([A-Za-z0-9_.-]+))"`, 'g'),
      (match, url, type, uuid) => {
        const target = objectsOf(type).find((item) => item.uuid === uuid);
        return target ? `"${url}#${String(target.name)}"` : match;
      },
    );

  const refTo = (type: string, uuid: string) => `${RECORDED_AVI_ORIGIN}/api/${type}/${uuid}`;
  const uuidOfRef = (value: unknown) =>
    typeof value === 'string' ? value.split('#')[0]!.split('/').filter(Boolean).pop() : undefined;

  const poolsOfVs = (vs: Record<string, unknown>): string[] => {
    const pools = new Set<string>();
    const direct = uuidOfRef(vs.pool_ref);
    if (direct) pools.add(direct);
    const group = objectsOf('poolgroup').find((item) => item.uuid === uuidOfRef(vs.pool_group_ref));
    for (const member of (group?.members as Array<{ pool_ref?: string }> | undefined) ?? []) {
      const pool = uuidOfRef(member.pool_ref);
      if (pool) pools.add(pool);
    }
    return [...pools];
  };

  const operStatus = (uuid: string) => {
    const runtime = seed.runtime[uuid];
    return {
      state: runtime?.operState ?? 'OPER_UNKNOWN',
      ...(runtime?.reasons ? { reason: runtime.reasons } : {}),
      last_changed_time: { secs: Math.floor(now() / 1000) - 600, usecs: 0 },
    };
  };
  const healthScore = (uuid: string) => ({
    health_score: seed.runtime[uuid]?.healthScore ?? 100,
    anomaly_penalty: 0,
    resources_penalty: Math.max(0, 100 - (seed.runtime[uuid]?.healthScore ?? 100)),
    security_penalty: 0,
  });

  const inventoryItem = (kind: string, config: Record<string, unknown>): Record<string, unknown> => {
    const uuid = String(config.uuid);
    const url = `${RECORDED_AVI_ORIGIN}/api/${kind}-inventory/${uuid}`;
    if (kind === 'virtualservice') {
      const seUuids = seed.placements[uuid] ?? [];
      return {
        uuid,
        url,
        config,
        runtime: {
          oper_status: operStatus(uuid),
          vip_summary: [
            {
              vip_id: '0',
              service_engine: seUuids.map((se) => ({ uuid: se, url: refTo('serviceengine', se) })),
            },
          ],
        },
        health_score: healthScore(uuid),
        pools: poolsOfVs(config).map((pool) => refTo('pool', pool)),
        alert: { high: 0, medium: 0, low: 0 },
      };
    }
    if (kind === 'pool') {
      const runtime = seed.runtime[uuid];
      const servers =
        (config.servers as Array<{
          ip: { addr: string };
          port?: number;
          hostname?: string;
          enabled?: boolean;
        }>) ?? [];
      const states = servers.map((server) => {
        const key = `${server.ip.addr}:${server.port ?? config.default_server_port ?? ''}`;
        const state =
          server.enabled === false
            ? { operState: 'OPER_DISABLED', reasons: ['Server is disabled by the administrator'] }
            : (runtime?.servers?.[key] ?? { operState: 'OPER_UP' });
        return {
          ip_addr: server.ip,
          port: server.port,
          hostname: server.hostname,
          oper_status: { state: state.operState, ...(state.reasons ? { reason: state.reasons } : {}) },
        };
      });
      const virtualServices = objectsOf('virtualservice').filter((vs) => poolsOfVs(vs).includes(uuid));
      return {
        uuid,
        url,
        config,
        runtime: {
          oper_status: operStatus(uuid),
          num_servers: servers.length,
          num_servers_enabled: servers.filter((server) => server.enabled !== false).length,
          num_servers_up: states.filter((state) => state.oper_status.state === 'OPER_UP').length,
          servers: states,
        },
        health_score: healthScore(uuid),
        virtualservices: virtualServices.map((vs) => refTo('virtualservice', String(vs.uuid))),
      };
    }
    const vsRefs = Object.entries(seed.placements)
      .filter(([, ses]) => ses.includes(uuid))
      .map(([vs]) => refTo('virtualservice', vs));
    return {
      uuid,
      url,
      config: { ...config, vs_refs: vsRefs },
      runtime: {
        oper_status: operStatus(uuid),
        power_state: seed.runtime[uuid]?.powerState ?? 'SE_POWER_ON',
        se_connected: true,
        gateway_up: true,
        at_curr_ver: true,
        migrate_state: 'SE_MIGRATE_STATE_IDLE',
      },
      health_score: healthScore(uuid),
    };
  };

  const metricSeries = (entityUuid: string, metricId: string, step: number, limit: number) => {
    const values = seed.metrics[entityUuid]?.[metricId] ?? [];
    const window = values.slice(-limit);
    const end = Math.floor(now() / (step * 1000)) * step * 1000;
    const data = window.map((value, index) => ({
      timestamp: new Date(end - (window.length - 1 - index) * step * 1000).toISOString(),
      value,
    }));
    const mean = window.length ? window.reduce((sum, value) => sum + value, 0) / window.length : 0;
    return {
      header: {
        name: metricId,
        entity_uuid: entityUuid,
        tenant_uuid: 'admin',
        units: metricId.includes('bandwidth')
          ? 'BITS_PER_SECOND'
          : metricId.includes('pct') || metricId.includes('usage')
            ? 'PERCENT'
            : 'METRIC_COUNT',
        statistics: {
          min: Math.min(...window, 0),
          max: Math.max(...window, 0),
          mean,
          num_samples: window.length,
        },
      },
      data,
    };
  };

  const paginate = (
    items: unknown[],
    path: string,
    query: Record<string, string>,
    includeName: boolean,
  ): Record<string, unknown> => {
    const pageSize = query.page_size === undefined ? defaultPageSize : Number(query.page_size);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200)
      throw new AviHttpError(400, 'page_size must be between 1 and 200');
    const page = query.page === undefined ? 1 : Number(query.page);
    if (!Number.isInteger(page) || page < 1) throw new AviHttpError(400, 'Invalid page');
    const slice = items.slice((page - 1) * pageSize, page * pageSize);
    const body: Record<string, unknown> = { count: items.length, results: render(slice, includeName) };
    if (page * pageSize < items.length) {
      const next = new URLSearchParams({ ...query, page: String(page + 1) });
      body.next = `${origin}${path}?${next.toString()}`;
    }
    return body;
  };

  const filterObjects = (items: Array<Record<string, unknown>>, query: Record<string, string>) =>
    items.filter((item) => {
      const name = String(item.name ?? '');
      if (query.name !== undefined && name !== query.name) return false;
      if (query['name.contains'] !== undefined && !name.includes(query['name.contains'])) return false;
      if (
        query['name.icontains'] !== undefined &&
        !name.toLowerCase().includes(query['name.icontains'].toLowerCase())
      )
        return false;
      if (query['name.in'] !== undefined && !query['name.in'].split(',').includes(name)) return false;
      if (query['uuid.in'] !== undefined && !query['uuid.in'].split(',').includes(String(item.uuid)))
        return false;
      if (query.refers_to !== undefined) {
        const [, target] = query.refers_to.split(':');
        if (!target || !JSON.stringify(item).includes(`/${target}"`)) return false;
      }
      return true;
    });

  const project = (item: Record<string, unknown>, fields: string | undefined) => {
    if (fields === undefined) return item;
    const keep = new Set(['name', 'url', 'uuid', ...fields.split(',')]);
    return Object.fromEntries(Object.entries(item).filter(([key]) => keep.has(key)));
  };

  const handleApi = (
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    headers: IncomingHttpHeaders,
  ): { status: number; body?: unknown } => {
    const tenant = tenantOf(headers);
    const includeName = query.include_name === 'true' || query.include_name === 'True';
    const parts = path.split('/').filter(Boolean).slice(1); // drop "api"
    const [first = '', second, third] = parts;

    if (method === 'GET' && first === 'initial-data' && parts.length === 1)
      return { status: 200, body: { version: seed.login.version, user: seed.login.user } };

    if (first === 'analytics' && second === 'metrics') {
      if (method === 'POST' && third === 'collection' && parts.length === 3) {
        const requestsBody = (body as { metric_requests?: unknown } | undefined)?.metric_requests;
        if (!Array.isArray(requestsBody)) throw new AviHttpError(400, 'metric_requests is required');
        const series: Record<string, Record<string, unknown[]>> = {};
        for (const request of requestsBody as Array<Record<string, unknown>>) {
          const key = String(request.id ?? request.entity_uuid);
          const uuids =
            request.entity_uuid === '*' ? Object.keys(seed.metrics) : [String(request.entity_uuid ?? '')];
          const byEntity = series[key] ?? {};
          series[key] = byEntity;
          for (const uuid of uuids) {
            const list = byEntity[uuid] ?? [];
            byEntity[uuid] = list;
            for (const metricId of String(request.metric_id ?? '').split(','))
              list.push(
                metricSeries(uuid, metricId, Number(request.step ?? 300), Number(request.limit ?? 12)),
              );
          }
        }
        return { status: 200, body: { series } };
      }
      if (method === 'GET' && parts.length === 4) {
        const metricIds = (query.metric_id ?? '').split(',').filter(Boolean);
        if (metricIds.length === 0) throw new AviHttpError(400, 'metric_id is required');
        const step = Number(query.step ?? 300);
        const limit = Number(query.limit ?? 12);
        const uuid = parts[3]!;
        return {
          status: 200,
          body: {
            entity_uuid: uuid,
            metric_entity: third === 'serviceengine' ? 'SE_METRICS_ENTITY' : 'VSERVER_METRICS_ENTITY',
            step,
            limit,
            series: metricIds.map((metricId) => metricSeries(uuid, metricId, step, limit)),
          },
        };
      }
      throw new AviHttpError(404, 'Not found');
    }

    const inventory = /^(virtualservice|pool|serviceengine)-inventory$/.exec(first);
    if (inventory && method === 'GET') {
      const kind = inventory[1]!;
      const configs = filterObjects(objectsOf(kind), query).filter((item) => inTenant(item, tenant));
      const items = configs.map((config) => inventoryItem(kind, config));
      if (second !== undefined) {
        const item = items.find((candidate) => candidate.uuid === second);
        if (!item) throw new AviHttpError(404, 'Object not found!');
        return { status: 200, body: render(item, includeName) };
      }
      return { status: 200, body: paginate(items, path, query, includeName) };
    }

    if (!collectionTypes.has(first)) throw new AviHttpError(404, `Unknown object type ${first}`);
    const list = objectsOf(first);
    const visible = list.filter((item) => inTenant(item, tenant));

    if (second === undefined) {
      if (method === 'GET') {
        const items = filterObjects(visible, query).map((item) => project(item, query.fields));
        return { status: 200, body: paginate(items, path, query, includeName) };
      }
      if (method === 'POST') {
        const input = asObject(body);
        if (typeof input.name !== 'string' || input.name === '')
          throw new AviHttpError(400, 'name is required');
        if (visible.some((item) => item.name === input.name))
          throw new AviHttpError(409, `Object with name ${input.name} already exists`);
        const uuid = first === 'tenant' ? `tenant-${randomUUID()}` : `${first}-${randomUUID()}`;
        const created = {
          ...input,
          uuid,
          url: refTo(first, uuid),
          ...(first === 'tenant' ? {} : { tenant_ref: refTo('tenant', tenant.uuid) }),
          _last_modified: String(now() * 1000),
        };
        list.push(created);
        writes.push({ method, path, body, tenant: tenant.name });
        return { status: 201, body: render(created, false) };
      }
      if (method === 'PUT' && (first === 'useraccount' || first === 'systemconfiguration')) {
        writes.push({ method, path, body, tenant: tenant.name });
        return { status: 200, body: first === 'useraccount' ? '' : render(asObject(body), false) };
      }
      throw new AviHttpError(405, `Method ${method} not allowed`);
    }

    const index = list.findIndex((item) => item.uuid === second && inTenant(item, tenant));
    if (index < 0) throw new AviHttpError(404, 'Object not found!');
    const current = list[index]!;

    if (third !== undefined) {
      if (method !== 'POST' || parts.length !== 3) throw new AviHttpError(404, 'Not found');
      const allowed = first === 'virtualservice' ? vsActions : first === 'pool' ? poolActions : undefined;
      if (!allowed?.has(third)) throw new AviHttpError(404, `Unknown action ${third}`);
      const input = asObject(body);
      if (first === 'virtualservice') {
        if (typeof input.vip_id !== 'string') throw new AviHttpError(400, 'vip_id is required');
        applyVsAction(third, second, input);
      }
      writes.push({ method, path, body, tenant: tenant.name });
      return { status: 200, body: {} };
    }

    if (method === 'GET') return { status: 200, body: render(project(current, query.fields), includeName) };
    if (method === 'DELETE') {
      list.splice(index, 1);
      writes.push({ method, path, body, tenant: tenant.name });
      return { status: 204 };
    }
    if (method === 'PUT' || method === 'PATCH') {
      const input = asObject(body);
      const updated =
        method === 'PUT' ? { ...input, uuid: current.uuid, url: current.url } : applyPatch(current, input);
      updated._last_modified = String(now() * 1000);
      list[index] = updated;
      writes.push({ method, path, body, tenant: tenant.name });
      return { status: 200, body: render(updated, false) };
    }
    throw new AviHttpError(405, `Method ${method} not allowed`);
  };

  const applyVsAction = (action: string, vsUuid: string, input: Record<string, unknown>) => {
    const placed = seed.placements[vsUuid] ?? [];
    const candidates = objectsOf('serviceengine').filter(
      (se) => se.enable_state === 'SE_STATE_ENABLED' && !placed.includes(String(se.uuid)),
    );
    const toSe = uuidOfRef(input.to_se_ref);
    if (action === 'scaleout') {
      const target = toSe ?? (candidates[0]?.uuid as string | undefined);
      if (!target) throw new AviHttpError(400, 'No service engine available for scale out');
      seed.placements[vsUuid] = [...placed, target];
    }
    if (action === 'scalein') {
      if (placed.length <= 1) throw new AviHttpError(400, 'Virtual service runs on one service engine only');
      const from = uuidOfRef(input.from_se_ref) ?? placed[placed.length - 1];
      seed.placements[vsUuid] = placed.filter((se) => se !== from);
    }
    if (action === 'migrate') {
      const from = uuidOfRef(input.from_se_ref) ?? placed[0];
      if (!from || !placed.includes(from))
        throw new AviHttpError(400, 'from_se_ref does not host this virtual service');
      const target = toSe ?? (candidates[0]?.uuid as string | undefined);
      if (!target || placed.includes(target))
        throw new AviHttpError(400, 'No eligible target service engine');
      seed.placements[vsUuid] = placed.map((se) => (se === from ? target : se));
    }
  };

  const matchFault = (method: string, path: string, query: Record<string, string>) => {
    for (const fault of faults) {
      if (fault.method !== undefined && fault.method !== method) continue;
      if (typeof fault.path === 'string' ? fault.path !== path : !fault.path.test(path)) continue;
      if (fault.query && Object.entries(fault.query).some(([key, value]) => query[key] !== value)) continue;
      if (fault.times !== undefined && fault.hits >= fault.times) continue;
      fault.hits++;
      return fault.fault;
    }
    return undefined;
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(incoming);
    const method = incoming.method ?? 'GET';
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const query = Object.fromEntries(url.searchParams);
    const contentType = header(incoming.headers, 'content-type') ?? '';
    const body = parseRequestBody(raw, contentType);
    const entry: FakeAviRequest = { method, path, query, headers: incoming.headers, body, status: 0 };
    appendBounded(requests, entry, 2_000);
    const send = (status: number, payload: unknown, extraCookies: string[] = []) => {
      entry.status = status;
      const text =
        payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
      response.writeHead(status, {
        'content-type': 'application/json',
        avi_api_version: String(
          (seed.login.version as { Version?: string } | undefined)?.Version ?? '20.1.1',
        ),
        vary: 'Accept, Cookie',
        ...(extraCookies.length ? { 'set-cookie': extraCookies } : {}),
      });
      response.end(text);
    };

    const fault = matchFault(method, path, query);
    if (fault?.type === 'reset') {
      dropConnection(incoming);
      return;
    }
    if (fault?.type === 'html') {
      entry.status = 200;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<!DOCTYPE html><html><head><title>Avi Networks</title></head><body><div id="login">Please log in</div></body></html>',
      );
      return;
    }
    if (fault?.type === 'status') {
      send(fault.status, fault.body ?? { error: `Injected failure ${fault.status}` });
      return;
    }

    try {
      if (path === '/login' && method === 'POST') {
        const credentials = asObject(body);
        if (
          credentials.username !== username ||
          (credentials.password !== password && credentials.token !== password)
        ) {
          send(401, { error: 'Invalid credentials' });
          return;
        }
        logins++;
        const session: Session = {
          id: randomBytes(16).toString('hex'),
          csrf: randomBytes(16).toString('hex'),
          expired: false,
        };
        sessions.set(session.id, session);
        send(200, render(seed.login, false), [
          `csrftoken=${session.csrf}; Max-Age=31449600; Path=/; SameSite=Lax`,
          `avi-sessionid=${session.id}; HttpOnly; Max-Age=86400; Path=/; SameSite=Lax`,
          `sessionid=${session.id}; HttpOnly; Max-Age=86400; Path=/; SameSite=Lax`,
        ]);
        return;
      }

      const cookies = parseCookies(header(incoming.headers, 'cookie'));
      const session = sessions.get(cookies['avi-sessionid'] ?? cookies.sessionid ?? '');
      if (!session) {
        send(401, { detail: 'Authentication credentials were not provided.' });
        return;
      }
      if (fault?.type === 'expire-session') session.expired = true;
      if (session.expired) {
        send(419, { error: 'Session expired' });
        return;
      }
      const isWrite = method !== 'GET' && method !== 'HEAD';
      if (isWrite) {
        const token = header(incoming.headers, 'x-csrftoken');
        if (token === undefined || token !== session.csrf || cookies.csrftoken !== session.csrf) {
          send(401, 'CSRF token missing or incorrect.');
          return;
        }
        if (header(incoming.headers, 'referer') === undefined) {
          send(401, 'Referer checking failed - no Referer.');
          return;
        }
      }
      if (path === '/logout' && method === 'POST') {
        sessions.delete(session.id);
        send(200, '');
        return;
      }
      if (!path.startsWith('/api/')) throw new AviHttpError(404, 'Not found');
      if (header(incoming.headers, 'x-avi-version') === undefined)
        throw new AviHttpError(400, 'X-Avi-Version header is required');
      const answer = handleApi(method, path, query, body, incoming.headers);
      // Django rotates the CSRF token after state changes; clients must take the new one.
      const rotated: string[] = [];
      if (isWrite && !path.startsWith('/api/analytics/')) {
        session.csrf = randomBytes(16).toString('hex');
        rotated.push(`csrftoken=${session.csrf}; Max-Age=31449600; Path=/; SameSite=Lax`);
      }
      if (fault?.type === 'truncated-json') {
        const text = JSON.stringify(answer.body ?? {});
        send(answer.status, text.slice(0, Math.max(1, Math.floor(text.length / 2))), rotated);
        return;
      }
      send(answer.status, answer.status === 204 ? undefined : answer.body, rotated);
    } catch (error) {
      if (error instanceof AviHttpError) send(error.status, { error: error.message });
      else throw error;
    }
  };

  const server = await listenOnLoopback({
    port: options.port,
    handle,
    onHandlerError: (response, error) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: String(error) }));
    },
  });
  origin = server.url;

  return {
    url: server.url,
    port: server.port,
    username,
    password,
    requests,
    writes,
    get logins() {
      return logins;
    },
    objects: (type) => objectsOf(type),
    addFault: (fault) => {
      faults.push({ ...fault, hits: 0 });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    expireSessions: () => {
      for (const session of sessions.values()) session.expired = true;
    },
    close: () => server.close(),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseCookies(text: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (text ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0) cookies[part.slice(0, separator).trim()] = part.slice(separator + 1).trim();
  }
  return cookies;
}

function parseRequestBody(raw: string, contentType: string): unknown {
  if (raw === '') return undefined;
  if (contentType.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AviHttpError(400, 'Request body is not valid JSON');
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AviHttpError(400, 'Request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Avi PATCH: `{"add": {...}, "replace": {...}, "delete": {...}}` applied to top-level fields. */
function applyPatch(
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const updated = structuredClone(current);
  const known = ['add', 'replace', 'delete'];
  if (Object.keys(patch).some((key) => !known.includes(key)))
    throw new AviHttpError(400, 'PATCH body must use add, replace or delete');
  for (const [key, value] of Object.entries(asObjectOr(patch.replace))) updated[key] = value;
  for (const [key, value] of Object.entries(asObjectOr(patch.add))) {
    const existing = updated[key];
    updated[key] = Array.isArray(existing) && Array.isArray(value) ? [...existing, ...value] : value;
  }
  for (const key of Object.keys(asObjectOr(patch.delete))) delete updated[key];
  return updated;
}

function asObjectOr(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import {
  AbortedError,
  CollectorError,
  ConfigError,
  createCallControl,
  DEFAULT_MAX_RESPONSE_BYTES,
  parseRetryAfterMs,
  readBodyCapped,
  redactSecrets,
  redactThenTruncate,
} from '@ballast/core';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { sleep } from './abortable-sleep';
import { countEndpoint, endpointKey } from './endpoint-key';
import { createProxmoxAgent, type ProxmoxTlsOptions } from './tls';
import { enforceTransportSecurity, type ProxmoxWarningHandler } from './transport-security';
import {
  type ClusterOptions,
  type ClusterResource,
  type ClusterStatusEntry,
  clusterOptionsSchema,
  clusterResourceSchema,
  clusterStatusEntrySchema,
  type HaGroup,
  type HaResource,
  type HaRuleWire,
  type HaStatusEntry,
  haGroupSchema,
  haResourceSchema,
  haRuleWireSchema,
  haStatusEntrySchema,
  type MigratePreconditionWire,
  migratePreconditionSchema,
  type NodeStorage,
  nodeStorageSchema,
  type PveVersionInfo,
  type RrdRow,
  rrdRowSchema,
  type StorageVolume,
  storageVolumeSchema,
  type TaskListEntry,
  type TaskStatus,
  taskListEntrySchema,
  taskStatusSchema,
  versionSchema,
} from './wire-schemas';

/** The response of a `fetch`-like function: all the client reads. */
export interface ProxmoxFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** The body as a web stream; when present, it is read with the `maxResponseBytes` cap. */
  readonly body?: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** What the client passes to `fetch`. `dispatcher` is undici's; other fetches ignore it. */
export interface ProxmoxFetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

/** A `fetch`-compatible function (undici's `fetch` by default). */
export type ProxmoxFetch = (url: string, init: ProxmoxFetchInit) => Promise<ProxmoxFetchResponse>;

/** Options of {@link createProxmoxClient}. */
export interface ProxmoxClientOptions {
  /**
   * `https://pve1.example.com:8006` (a trailing `/api2/json` is accepted). Or give `host`.
   * `http://` is refused (the token would travel in clear text) except to loopback hosts or with
   * `allowInsecureHttp: true`.
   */
  baseUrl?: string;
  /** Host name or address, with `port` (default 8006); HTTPS. */
  host?: string;
  port?: number;
  /** `USER@REALM!TOKENID`, e.g. `ballast@pve!advisor`. */
  tokenId: string;
  /** The token's secret (a UUID). Never logged, never in errors. */
  tokenSecret: string;
  /** Certificate verification; on by default. `insecureSkipVerify: true` turns it off, loudly. */
  tls?: ProxmoxTlsOptions;
  /**
   * Allows an `http://` `baseUrl` to a host that is not loopback: the API token then crosses the
   * network in clear text. For a lab behind a trusted tunnel only; warned about on every start.
   */
  allowInsecureHttp?: boolean;
  /** Receives security warnings (TLS verification off, plain HTTP). Default `console.warn`. */
  onWarning?: ProxmoxWarningHandler;
  /**
   * Largest response body read, in bytes; a bigger one fails with a `CollectorError` instead of
   * being buffered. Default `DEFAULT_MAX_RESPONSE_BYTES` (32 MiB).
   */
  maxResponseBytes?: number;
  /** Per-attempt timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Extra attempts for GET requests on 5xx, 429, resets and timeouts (never for POST). Default 2, at most 5. */
  retries?: number;
  /** Base of the jittered exponential backoff. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Replaces undici's `fetch`. */
  fetch?: ProxmoxFetch;
  /** An undici dispatcher to use instead of the one built from `tls`. */
  dispatcher?: Dispatcher;
}

/** Per-call options. */
export interface ProxmoxRequestOptions {
  signal?: AbortSignal | undefined;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number | undefined;
}

/** Counters of the HTTP requests a client made. */
export interface ProxmoxClientStats {
  /** HTTP requests sent, retries included. */
  apiCalls: number;
  /** Of which retries. */
  retries: number;
  /**
   * Requests per endpoint kind, e.g. `GET /nodes/{node}/tasks/{upid}/status`: ids are replaced by
   * placeholders and at most 200 keys are kept (then `(other)`), so the map stays small in a
   * long-lived client.
   */
  byEndpoint: Record<string, number>;
}

/** An RRD timeframe. `decade` is PVE 9 only. */
export type RrdTimeframe = 'hour' | 'day' | 'week' | 'month' | 'year' | 'decade';

/** RRD query options. */
export interface RrdOptions extends ProxmoxRequestOptions {
  timeframe: RrdTimeframe;
  cf?: 'AVERAGE' | 'MAX';
}

/** `POST /nodes/{node}/qemu/{vmid}/migrate` parameters. */
export interface VmMigrateParams {
  target: string;
  online?: boolean;
  withLocalDisks?: boolean;
  /** `targetstorage`: one storage id, or a `source:target` map such as `local-lvm:fast-lvm`. */
  targetStorage?: string;
  /** KiB/s. */
  bwlimit?: number;
}

/** `POST /nodes/{node}/lxc/{vmid}/migrate` parameters. */
export interface ContainerMigrateParams {
  target: string;
  /** Restart migration (the only kind for running CTs). */
  restart?: boolean;
  /** Shutdown timeout for restart migration, seconds (PVE default 180). */
  timeout?: number;
  targetStorage?: string;
  bwlimit?: number;
}

/** Task list filters (`GET /nodes/{node}/tasks`). */
export interface TaskListOptions extends ProxmoxRequestOptions {
  vmid?: number;
  typefilter?: string;
  /** Epoch seconds. */
  since?: number;
  limit?: number;
  /** Default `all` (PVE's own default, `archive`, hides running tasks). */
  source?: 'archive' | 'active' | 'all';
}

/**
 * A thin, typed Proxmox VE API client: API-token auth, TLS verification (CA or fingerprint pin),
 * per-attempt timeouts, bounded jittered retries for GET only, and runtime validation of every
 * response. Every failure is a `CollectorError` naming the endpoint and status, never the token.
 */
export interface ProxmoxClient {
  /** The API origin, without credentials (`https://pve1:8006`). */
  readonly baseUrl: string;
  readonly stats: ProxmoxClientStats;
  /** Any endpoint: `path` after `/api2/json`; the response's `data` is validated with `schema`. */
  request<Schema extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: Schema,
    options?: ProxmoxRequestOptions & {
      query?: Record<string, string | number | boolean | undefined>;
      body?: Record<string, string | number | boolean | undefined>;
    },
  ): Promise<z.output<Schema>>;
  getVersion(options?: ProxmoxRequestOptions): Promise<PveVersionInfo>;
  getClusterResources(
    options?: ProxmoxRequestOptions & { type?: 'vm' | 'storage' | 'node' | 'sdn' },
  ): Promise<ClusterResource[]>;
  getClusterStatus(options?: ProxmoxRequestOptions): Promise<ClusterStatusEntry[]>;
  getClusterOptions(options?: ProxmoxRequestOptions): Promise<ClusterOptions>;
  getHaStatus(options?: ProxmoxRequestOptions): Promise<HaStatusEntry[]>;
  /** PVE 9 HA rules; `[]` when the endpoint does not exist (PVE ≤ 8 answers 501/404). */
  getHaRules(options?: ProxmoxRequestOptions): Promise<HaRuleWire[]>;
  getHaResources(options?: ProxmoxRequestOptions): Promise<HaResource[]>;
  /** PVE 8 HA groups; `[]` when the endpoint does not exist. */
  getHaGroups(options?: ProxmoxRequestOptions): Promise<HaGroup[]>;
  getNodeRrdData(node: string, options: RrdOptions): Promise<RrdRow[]>;
  getGuestRrdData(node: string, kind: 'qemu' | 'lxc', vmid: number, options: RrdOptions): Promise<RrdRow[]>;
  getNodeStorage(node: string, options?: ProxmoxRequestOptions): Promise<NodeStorage[]>;
  /**
   * `GET /nodes/{node}/storage/{storage}/content?content=images,rootdir`: the guest volumes on one
   * storage of one node. One call per node-local storage finds every guest's local disks.
   */
  getStorageContent(node: string, storage: string, options?: ProxmoxRequestOptions): Promise<StorageVolume[]>;
  /** `GET /nodes/{node}/{qemu|lxc}/{vmid}/migrate` (LXC: PVE 9 only). */
  getMigratePrecondition(
    node: string,
    kind: 'qemu' | 'lxc',
    vmid: number,
    options?: ProxmoxRequestOptions & { target?: string },
  ): Promise<MigratePreconditionWire>;
  /** Starts a VM migration; returns the task UPID (a `hamigrate` one for HA-managed VMs). */
  migrateVm(
    node: string,
    vmid: number,
    params: VmMigrateParams,
    options?: ProxmoxRequestOptions,
  ): Promise<string>;
  /** Starts a CT migration; returns the task UPID. */
  migrateContainer(
    node: string,
    vmid: number,
    params: ContainerMigrateParams,
    options?: ProxmoxRequestOptions,
  ): Promise<string>;
  /** `POST /cluster/ha/resources/{sid}/migrate`: asks the HA stack to move `vm:101` / `ct:102`. */
  migrateHaResource(sid: string, target: string, options?: ProxmoxRequestOptions): Promise<unknown>;
  getTaskStatus(node: string, upid: string, options?: ProxmoxRequestOptions): Promise<TaskStatus>;
  listNodeTasks(node: string, options?: TaskListOptions): Promise<TaskListEntry[]>;
  /** Destroys the HTTPS agent the client created (not a dispatcher you passed). */
  close(): Promise<void>;
}

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  tokenId: z
    .string()
    .regex(/^[^\s@!]+@[^\s@!]+![A-Za-z][A-Za-z0-9._-]*$/, 'must look like USER@REALM!TOKENID'),
  tokenSecret: z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
  timeoutMs: z.number().positive().finite().optional(),
  retries: z.number().int().min(0).max(5).optional(),
  retryBaseDelayMs: z.number().min(0).max(60_000).optional(),
  tls: z
    .object({
      ca: z.unknown().optional(),
      fingerprint: z
        .string()
        .regex(/^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint (AA:BB:…)')
        .optional(),
      insecureSkipVerify: z.boolean().optional(),
      insecure: z.boolean().optional(),
    })
    .optional(),
  allowInsecureHttp: z.boolean().optional(),
  maxResponseBytes: z.number().int().positive().optional(),
});

/**
 * Creates a {@link ProxmoxClient}.
 *
 * @example
 * ```ts
 * const client = createProxmoxClient({
 *   baseUrl: 'https://pve1.example.com:8006',
 *   tokenId: 'ballast@pve!advisor',
 *   tokenSecret: process.env.PVE_TOKEN_SECRET!,
 *   tls: { fingerprint: process.env.PVE_FINGERPRINT },
 * });
 * const nodes = (await client.getClusterResources({ type: 'node' })).map((row) => row.node);
 * ```
 */
export function createProxmoxClient(options: ProxmoxClientOptions): ProxmoxClient {
  const checked = optionsSchema.safeParse({ ...options, tokenSecret: options.tokenSecret ?? '' });
  if (!checked.success) throw ConfigError.fromZod('Proxmox client options', checked.error);
  if (options.baseUrl === undefined && options.host === undefined) {
    throw new ConfigError({
      message: 'Invalid Proxmox client options: give baseUrl or host',
      issues: [{ path: 'baseUrl', message: 'baseUrl or host is required' }],
    });
  }
  if (options.dispatcher !== undefined && options.tls !== undefined) {
    throw new ConfigError({
      message: 'Invalid Proxmox client options: pass either dispatcher or tls, not both',
      issues: [{ path: 'tls', message: 'configure TLS on your dispatcher instead' }],
    });
  }

  const origin = resolveOrigin(options);
  enforceTransportSecurity(
    origin,
    options.tls,
    options.allowInsecureHttp === true,
    options.onWarning ?? ((message) => console.warn(message)),
  );
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const apiRoot = `${origin}/api2/json`;
  const secret = options.tokenSecret;
  const authorization = `PVEAPIToken=${options.tokenId}=${secret}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 2;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
  const fetchImpl: ProxmoxFetch = options.fetch ?? (undiciFetch as unknown as ProxmoxFetch);
  const ownAgent =
    options.dispatcher === undefined && (origin.startsWith('https:') || options.tls !== undefined)
      ? createProxmoxAgent(options.tls)
      : undefined;
  const dispatcher = options.dispatcher ?? ownAgent;
  const stats: ProxmoxClientStats = { apiCalls: 0, retries: 0, byEndpoint: {} };
  // Redacts before truncating (given a length): cutting first can leave half a secret behind.
  const redact: Redact = (text, maxLength) =>
    maxLength === undefined
      ? redactSecrets(text, [secret, authorization])
      : redactThenTruncate(text, maxLength, [secret, authorization]);

  const request: ProxmoxClient['request'] = async (method, path, schema, requestOptions = {}) => {
    const endpoint = `${method} ${path}`;
    // `.` and `..` are resolved by the URL parser: `/nodes/../storage` would reach `/storage`.
    if (
      typeof path !== 'string' ||
      !path.startsWith('/') ||
      path.split('/').some((part) => part === '.' || part === '..')
    )
      throw argumentError('path', 'must start with "/" and have no "." or ".." segment');
    const statsKey = endpointKey(method, path);
    const query = encodeParams(requestOptions.query, 'query');
    const url = `${apiRoot}${path
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/')}${query ? `?${query}` : ''}`;
    const body = method === 'GET' ? undefined : encodeParams(requestOptions.body, 'body');
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const attempts = method === 'GET' ? retries + 1 : 1;

    for (let attempt = 1; ; attempt++) {
      if (requestOptions.signal?.aborted) throw new AbortedError({ message: `${endpoint} was aborted` });
      const control = createCallControl({
        ...(requestOptions.signal === undefined ? {} : { signal: requestOptions.signal }),
        timeoutMs: requestOptions.timeoutMs ?? timeoutMs,
      });
      stats.apiCalls++;
      countEndpoint(stats.byEndpoint, statsKey);
      if (attempt > 1) stats.retries++;
      let failure: CollectorError;
      try {
        const init: ProxmoxFetchInit = { method, headers, signal: control.signal };
        if (body !== undefined) init.body = body;
        if (dispatcher !== undefined) init.dispatcher = dispatcher;
        const response = await Promise.race([fetchImpl(url, init), control.aborted]);
        const text = await Promise.race([
          readBodyCapped(response, maxResponseBytes, endpoint, response.status, 'proxmox'),
          control.aborted,
        ]);
        if (response.ok) return parseEnvelope(endpoint, text, schema, redact);
        failure = httpError(endpoint, response, text, redact);
      } catch (error) {
        const reason = control.failure();
        if (AbortedError.isInstance(reason)) throw new AbortedError({ message: `${endpoint} was aborted` });
        if (CollectorError.isInstance(error)) throw error;
        failure =
          reason !== undefined
            ? new CollectorError({
                message: `Proxmox API ${endpoint} timed out after ${requestOptions.timeoutMs ?? timeoutMs} ms`,
                source: 'proxmox',
                endpoint,
                isRetryable: true,
                cause: reason,
              })
            : networkError(endpoint, error, redact);
      } finally {
        control.dispose();
      }
      if (!failure.isRetryable || attempt >= attempts) throw failure;
      await sleep(
        backoffMs(attempt, retryBaseDelayMs, failure.retryAfterMs),
        requestOptions.signal,
        `${endpoint} was aborted`,
      );
    }
  };

  const optionalEndpoint = async <T>(call: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await call();
    } catch (error) {
      if (CollectorError.isInstance(error) && (error.statusCode === 404 || error.statusCode === 501))
        return [];
      throw error;
    }
  };

  const node = (name: string) => `/nodes/${segment('node', name)}`;
  const guest = (kind: string, vmid: number) => `${guestKind(kind)}/${guestId(vmid)}`;

  return {
    baseUrl: origin,
    stats,
    request,
    getVersion: (requestOptions) => request('GET', '/version', versionSchema, requestOptions),
    getClusterResources: (requestOptions = {}) =>
      request('GET', '/cluster/resources', z.array(clusterResourceSchema), {
        ...requestOptions,
        query: { type: requestOptions.type },
      }),
    getClusterStatus: (requestOptions) =>
      request('GET', '/cluster/status', z.array(clusterStatusEntrySchema), requestOptions),
    getClusterOptions: (requestOptions) =>
      request('GET', '/cluster/options', clusterOptionsSchema, requestOptions),
    getHaStatus: (requestOptions) =>
      request('GET', '/cluster/ha/status/current', z.array(haStatusEntrySchema), requestOptions),
    getHaRules: (requestOptions) =>
      optionalEndpoint(() => request('GET', '/cluster/ha/rules', z.array(haRuleWireSchema), requestOptions)),
    getHaResources: (requestOptions) =>
      request('GET', '/cluster/ha/resources', z.array(haResourceSchema), requestOptions),
    getHaGroups: (requestOptions) =>
      optionalEndpoint(() => request('GET', '/cluster/ha/groups', z.array(haGroupSchema), requestOptions)),
    getNodeRrdData: guarded((name, { timeframe, cf, ...rest }) =>
      request('GET', `${node(name)}/rrddata`, z.array(rrdRowSchema), {
        ...rest,
        query: { timeframe, cf },
      }),
    ),
    getGuestRrdData: guarded((name, kind, vmid, { timeframe, cf, ...rest }) =>
      request('GET', `${node(name)}/${guest(kind, vmid)}/rrddata`, z.array(rrdRowSchema), {
        ...rest,
        query: { timeframe, cf },
      }),
    ),
    getNodeStorage: guarded((name, requestOptions) =>
      request('GET', `${node(name)}/storage`, z.array(nodeStorageSchema), requestOptions),
    ),
    getStorageContent: guarded((name, storage, requestOptions) =>
      request(
        'GET',
        `${node(name)}/storage/${segment('storage', storage)}/content`,
        z.array(storageVolumeSchema),
        {
          ...requestOptions,
          query: { content: 'images,rootdir' },
        },
      ),
    ),
    getMigratePrecondition: guarded((name, kind, vmid, { target, ...rest } = {}) =>
      request('GET', `${node(name)}/${guest(kind, vmid)}/migrate`, migratePreconditionSchema, {
        ...rest,
        query: { target },
      }),
    ),
    migrateVm: guarded((name, vmid, params, requestOptions) =>
      request('POST', `${node(name)}/qemu/${guestId(vmid)}/migrate`, z.string().startsWith('UPID:'), {
        ...requestOptions,
        body: {
          target: params.target,
          online: params.online,
          'with-local-disks': params.withLocalDisks,
          targetstorage: params.targetStorage,
          bwlimit: params.bwlimit,
        },
      }),
    ),
    migrateContainer: guarded((name, vmid, params, requestOptions) =>
      request('POST', `${node(name)}/lxc/${guestId(vmid)}/migrate`, z.string().startsWith('UPID:'), {
        ...requestOptions,
        body: {
          target: params.target,
          restart: params.restart,
          timeout: params.timeout,
          'target-storage': params.targetStorage,
          bwlimit: params.bwlimit,
        },
      }),
    ),
    migrateHaResource: guarded((sid, target, requestOptions) =>
      request('POST', `/cluster/ha/resources/${segment('sid', sid)}/migrate`, z.unknown(), {
        ...requestOptions,
        body: { node: target },
      }),
    ),
    getTaskStatus: guarded((name, upid, requestOptions) =>
      request('GET', `${node(name)}/tasks/${segment('upid', upid)}/status`, taskStatusSchema, requestOptions),
    ),
    listNodeTasks: guarded((name, { vmid, typefilter, since, limit, source, ...rest } = {}) =>
      request('GET', `${node(name)}/tasks`, z.array(taskListEntrySchema), {
        ...rest,
        query: { vmid, typefilter, since, limit, source: source ?? 'all' },
      }),
    ),
    close: async () => {
      await ownAgent?.close();
    },
  };
}

/** A call argument the client refuses before sending anything. */
function argumentError(path: string, message: string): ConfigError {
  return new ConfigError({
    message: `Invalid Proxmox call argument: ${path}: ${message}`,
    issues: [{ path, message }],
  });
}

/**
 * A path parameter (node, storage, HA sid, UPID): exactly one segment. A `/` in it, or a `.`/`..`
 * (which the URL parser resolves), reached another endpoint: `getNodeStorage('..')` read
 * `/storage`, and an HA sid could climb to any POST endpoint.
 */
function segment(path: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..' || value.includes('/'))
    throw argumentError(path, 'must be one path segment (not empty, "." or "..", and without "/")');
  return value;
}

function guestId(vmid: unknown): number {
  if (typeof vmid !== 'number' || !Number.isSafeInteger(vmid) || vmid < 1)
    throw argumentError('vmid', `must be a positive integer, got ${String(vmid)}`);
  return vmid;
}

function guestKind(kind: unknown): 'qemu' | 'lxc' {
  if (kind !== 'qemu' && kind !== 'lxc') throw argumentError('kind', "must be 'qemu' or 'lxc'");
  return kind;
}

/** Turns a synchronous refusal of a method's arguments into a rejected promise, as callers expect. */
function guarded<Method extends (...args: never[]) => Promise<unknown>>(method: Method): Method {
  return ((...args: Parameters<Method>) => {
    try {
      return method(...args);
    } catch (error) {
      return Promise.reject(error);
    }
  }) as Method;
}

/** Removes the token from a text; with `maxLength`, redacts first and then truncates. */
type Redact = (text: string, maxLength?: number) => string;

function resolveOrigin(options: ProxmoxClientOptions): string {
  if (options.baseUrl !== undefined) {
    const url = new URL(options.baseUrl);
    url.username = '';
    url.password = '';
    const path = url.pathname.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
    return `${url.protocol}//${url.host}${path}`;
  }
  const host =
    options.host!.includes(':') && !options.host!.startsWith('[') ? `[${options.host}]` : options.host;
  return `https://${host}:${options.port ?? 8006}`;
}

function encodeParams(
  params: Record<string, string | number | boolean | undefined> | undefined,
  where: 'query' | 'body',
): string {
  if (params === undefined) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    // `NaN` and `Infinity` went out as the text "NaN"/"Infinity" (PVE: 400, or a filter matching nothing).
    if (typeof value === 'number' && !Number.isFinite(value))
      throw argumentError(`${where}.${key}`, `must be a finite number, got ${value}`);
    search.set(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return search.toString();
}

function parseEnvelope<Schema extends z.ZodType>(
  endpoint: string,
  text: string,
  schema: Schema,
  redact: Redact,
): z.output<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CollectorError({
      message: `Proxmox API ${endpoint} returned a body that is not JSON: ${redact(text, 120)}`,
      source: 'proxmox',
      endpoint,
      statusCode: 200,
    });
  }
  const parsed = z.object({ data: schema as z.ZodType }).safeParse(json);
  if (parsed.success) return parsed.data.data as z.output<Schema>;
  const details = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new CollectorError({
    message: redact(`Proxmox API ${endpoint} returned an unexpected response: ${details}`),
    source: 'proxmox',
    endpoint,
    statusCode: 200,
  });
}

function httpError(
  endpoint: string,
  response: ProxmoxFetchResponse,
  text: string,
  redact: Redact,
): CollectorError {
  const parts = [`Proxmox API ${endpoint} failed with ${response.status}`];
  if (response.statusText) parts.push(response.statusText);
  let detail = '';
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    if (message && message !== response.statusText) detail += `: ${message}`;
    if (body.errors !== null && typeof body.errors === 'object') {
      detail += ` (${Object.entries(body.errors as Record<string, unknown>)
        .map(([key, value]) => `${key}: ${String(value).trim()}`)
        .join('; ')})`;
    }
  } catch {
    // Not JSON: the status line says enough.
  }
  const status = response.status;
  const retryAfterMs = parseRetryAfterMs({ 'retry-after': response.headers.get('retry-after') ?? undefined });
  return new CollectorError({
    message: redact(`${parts.join(' ')}${detail}`, 600),
    source: 'proxmox',
    endpoint,
    statusCode: status,
    isRetryable: status === 429 || (status >= 500 && status !== 501),
    retryAfterMs,
  });
}

function networkError(endpoint: string, error: unknown, redact: (text: string) => string): CollectorError {
  // undici wraps socket errors as `TypeError: fetch failed` with the real reason in `cause`.
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = redact(
    `Proxmox API ${endpoint} request failed: ${typeof code === 'string' ? `${code} ` : ''}${reason}`,
  );
  // Keep a sanitised copy of the cause only: foreign error objects may carry request details.
  const safeCause = new Error(redact(reason));
  if (typeof code === 'string') Object.assign(safeCause, { code });
  return new CollectorError({ message, source: 'proxmox', endpoint, isRetryable: true, cause: safeCause });
}

function backoffMs(attempt: number, baseMs: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 30_000);
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), 8_000);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** @internal True for Ballast errors that mean "the caller gave up". */
export function isAbort(error: unknown): boolean {
  return AbortedError.isInstance(error) || (error instanceof Error && error.name === 'AbortError');
}

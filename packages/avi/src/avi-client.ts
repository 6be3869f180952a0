import {
  AbortedError,
  CollectorError,
  ConfigError,
  createCallControl,
  DEFAULT_MAX_RESPONSE_BYTES,
  readBodyCapped,
  redactSecrets,
  redactThenTruncate,
  ValidationError,
} from '@ballast/core';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { createCookieJar } from './cookie-jar';
import { type AviTlsOptions, createAviDispatcher, enforceAviTransportSecurity } from './tls';
import {
  type Cloud,
  cloudSchema,
  collectionEnvelopeSchema,
  type HealthMonitor,
  healthMonitorSchema,
  type LoginResponse,
  loginResponseSchema,
  type MetricsCollectionResponse,
  type MetricsResponse,
  metricsCollectionResponseSchema,
  metricsResponseSchema,
  type Pool,
  type PoolGroup,
  type PoolInventory,
  poolGroupSchema,
  poolInventorySchema,
  poolSchema,
  type ServiceEngine,
  type ServiceEngineGroup,
  type ServiceEngineInventory,
  serviceEngineGroupSchema,
  serviceEngineInventorySchema,
  serviceEngineSchema,
  type Tenant,
  tenantSchema,
  type VirtualService,
  type VirtualServiceInventory,
  type VsVip,
  virtualServiceInventorySchema,
  virtualServiceSchema,
  vsVipSchema,
} from './wire-schemas';
import { type ConfirmedAviWrite, isConfirmedWrite } from './write-plan';

/** The response of a `fetch`-like function: all the client reads. */
export interface AviFetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null; getSetCookie?(): string[] };
  readonly body?: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** What the client passes to `fetch`. */
export interface AviFetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

/** A `fetch`-compatible function (undici's `fetch` by default). */
export type AviFetch = (url: string, init: AviFetchInit) => Promise<AviFetchResponse>;

/** Options of {@link createAviClient}. */
export interface AviClientOptions {
  /** `https://avi.example.com` (no path). `http://` only to loopback or with `allowInsecureHttp`. */
  baseUrl: string;
  username: string;
  /** Password, or give `token` (an Avi API token). Never logged, never in errors. */
  password?: string;
  token?: string;
  /** Default tenant by name (`X-Avi-Tenant`). Default `admin`. */
  tenant?: string;
  /** Default tenant by uuid (`X-Avi-Tenant-UUID`); wins over `tenant`. */
  tenantUuid?: string;
  /** `X-Avi-Version`; default: the controller's own, from the login answer or `/api/initial-data`. */
  version?: string;
  tls?: AviTlsOptions;
  allowInsecureHttp?: boolean;
  /** Security warnings (TLS off, plain HTTP). Default `console.warn`. */
  onWarning?: (message: string) => void;
  /** Per-request timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Largest body read. Default 32 MiB. */
  maxResponseBytes?: number;
  /** `page_size` of list calls, 1–200. Default 100. */
  pageSize?: number;
  /** Pages followed at most per list call (a `next` loop guard). Default 1 000. */
  maxPages?: number;
  fetch?: AviFetch;
  dispatcher?: Dispatcher;
}

/** Per-call options. */
export interface AviRequestOptions {
  signal?: AbortSignal | undefined;
  /** Tenant for this call only (name). */
  tenant?: string | undefined;
  /** Tenant for this call only (uuid); wins over `tenant`. */
  tenantUuid?: string | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Query of a list call. `filters` are passed as-is (`name`, `name.contains`, `refers_to`,
 * `referred_by`, `uuid.in`, `cloud_ref.name`, `sort`, …).
 *
 * @example
 * ```ts
 * const query: AviListQuery = { fields: ['name', 'servers'], includeName: true, filters: { 'name.contains': 'shop' } };
 * ```
 */
export interface AviListQuery extends AviRequestOptions {
  /** `fields=a,b` projection (name, url and uuid always come back). */
  fields?: readonly string[];
  /** `include_name=true`: refs carry `#name`. */
  includeName?: boolean;
  /** `join_subresources=runtime`. */
  joinRuntime?: boolean;
  filters?: Record<string, string | number | boolean>;
  /** Overrides the client's `pageSize` (1–200). */
  pageSize?: number;
}

/** Analytics query of {@link AviClient.getMetrics}. */
export interface AviMetricsQuery extends AviRequestOptions {
  /** `metric_id` values, e.g. `l4_client.avg_bandwidth`. */
  metricIds: readonly string[];
  /** Seconds per sample (5, 300, 3600, 86400). Default 300. */
  step?: number;
  /** Samples. Default 12. */
  limit?: number;
  /** ISO 8601. */
  start?: string;
  stop?: string;
  padMissingData?: boolean;
}

/** One request of the batch analytics call. */
export interface AviMetricsRequest {
  id?: string;
  entity_uuid: string;
  metric_entity:
    | 'VSERVER_METRICS_ENTITY'
    | 'SE_METRICS_ENTITY'
    | 'VM_METRICS_ENTITY'
    | 'CONTROLLER_METRICS_ENTITY';
  metric_id: string;
  step?: number;
  limit?: number;
  pool_uuid?: string;
  [key: string]: unknown;
}

/** Counters of the client's HTTP traffic. */
export interface AviClientStats {
  apiCalls: number;
  logins: number;
  /** Re-logins after a 401/419. */
  relogins: number;
  pagesFollowed: number;
}

/** Objects with a typed read: the path segment under `/api`. */
export type AviObjectType =
  | 'virtualservice'
  | 'pool'
  | 'poolgroup'
  | 'vsvip'
  | 'serviceengine'
  | 'serviceenginegroup'
  | 'healthmonitor'
  | 'cloud'
  | 'tenant';

/**
 * A VMware Avi (NSX ALB) session client. It logs in with `POST /login`, keeps the session and
 * `csrftoken` cookies in a jar, sends `X-CSRFToken`, `Referer`, `X-Avi-Version` and the tenant on
 * every call, takes a rotated CSRF token from every response, and logs in again (once) on 401/419.
 * Every response is validated; every failure is a `CollectorError` naming the endpoint, never a
 * credential, cookie or token. Writes run only from a confirmed plan (see `createWriteLedger`).
 */
export interface AviClient {
  /** The controller origin (`https://avi.example.com`). */
  readonly baseUrl: string;
  readonly stats: AviClientStats;
  /** The `X-Avi-Version` sent (known after the first login). */
  readonly apiVersion: string | undefined;
  /** Logs in now (calls log in on demand anyway). */
  login(options?: AviRequestOptions): Promise<LoginResponse>;
  /** `POST /logout` and forget the session. */
  logout(options?: AviRequestOptions): Promise<void>;
  /** `GET path` (under `/api/`), validated with `schema`. */
  get<Schema extends z.ZodType>(
    path: string,
    schema: Schema,
    options?: AviRequestOptions & { query?: Record<string, string | number | boolean | undefined> },
  ): Promise<z.output<Schema>>;
  /** Every item of a collection, following `next` page by page. */
  list<Item extends z.ZodType>(path: string, item: Item, query?: AviListQuery): AsyncIterable<z.output<Item>>;
  /** {@link AviClient.list} into an array. */
  listAll<Item extends z.ZodType>(
    path: string,
    item: Item,
    query?: AviListQuery,
  ): Promise<Array<z.output<Item>>>;
  listVirtualServices(query?: AviListQuery): Promise<VirtualService[]>;
  listPools(query?: AviListQuery): Promise<Pool[]>;
  listPoolGroups(query?: AviListQuery): Promise<PoolGroup[]>;
  listVsVips(query?: AviListQuery): Promise<VsVip[]>;
  listServiceEngines(query?: AviListQuery): Promise<ServiceEngine[]>;
  listServiceEngineGroups(query?: AviListQuery): Promise<ServiceEngineGroup[]>;
  listHealthMonitors(query?: AviListQuery): Promise<HealthMonitor[]>;
  listClouds(query?: AviListQuery): Promise<Cloud[]>;
  listTenants(query?: AviListQuery): Promise<Tenant[]>;
  /** One object by uuid. */
  getObject<Type extends AviObjectType>(
    type: Type,
    uuid: string,
    options?: AviRequestOptions & { includeName?: boolean },
  ): Promise<AviObjectOf<Type>>;
  /** Objects whose name is exactly `name` (`?name=`). */
  findByName<Type extends AviObjectType>(
    type: Type,
    name: string,
    options?: AviListQuery,
  ): Promise<Array<AviObjectOf<Type>>>;
  listVirtualServiceInventory(query?: AviListQuery): Promise<VirtualServiceInventory[]>;
  listPoolInventory(query?: AviListQuery): Promise<PoolInventory[]>;
  listServiceEngineInventory(query?: AviListQuery): Promise<ServiceEngineInventory[]>;
  /** `GET /api/analytics/metrics/{entity}/{uuid}`. */
  getMetrics(
    entity: 'virtualservice' | 'pool' | 'serviceengine' | 'controller',
    uuid: string,
    query: AviMetricsQuery,
  ): Promise<MetricsResponse>;
  /** `POST /api/analytics/metrics/collection` (read-only, though a POST). */
  getMetricsCollection(
    requests: readonly AviMetricsRequest[],
    options?: AviRequestOptions,
  ): Promise<MetricsCollectionResponse>;
  /**
   * Runs a confirmed write plan. Anything else (a plain object shaped like a plan, a plan whose
   * token was never confirmed) is refused with a `ValidationError` before a byte is sent.
   */
  execute(confirmed: ConfirmedAviWrite, options?: AviRequestOptions): Promise<unknown>;
  /** Logs out (best effort) and closes the HTTPS agent the client created. */
  close(): Promise<void>;
}

/** The parsed object of each kind, by its path segment under `/api`. */
export interface AviObjectTypes {
  virtualservice: VirtualService;
  pool: Pool;
  poolgroup: PoolGroup;
  vsvip: VsVip;
  serviceengine: ServiceEngine;
  serviceenginegroup: ServiceEngineGroup;
  healthmonitor: HealthMonitor;
  cloud: Cloud;
  tenant: Tenant;
}

/** The parsed type of one object kind. */
export type AviObjectOf<Type extends AviObjectType> = AviObjectTypes[Type];

const objectSchemas = {
  virtualservice: virtualServiceSchema,
  pool: poolSchema,
  poolgroup: poolGroupSchema,
  vsvip: vsVipSchema,
  serviceengine: serviceEngineSchema,
  serviceenginegroup: serviceEngineGroupSchema,
  healthmonitor: healthMonitorSchema,
  cloud: cloudSchema,
  tenant: tenantSchema,
} as const;

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  username: z.string().min(1).max(256),
  password: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  tenant: z.string().min(1).max(256).optional(),
  tenantUuid: z.string().min(1).max(256).optional(),
  version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'must look like 30.2.1')
    .optional(),
  timeoutMs: z.number().positive().finite().optional(),
  maxResponseBytes: z.number().int().positive().optional(),
  pageSize: z.number().int().min(1).max(200).optional(),
  maxPages: z.number().int().min(1).optional(),
});

/**
 * Creates an {@link AviClient}. Nothing is sent until the first call.
 *
 * @example
 * ```ts
 * const client = createAviClient({
 *   baseUrl: 'https://avi.example.com', username: 'admin', password: process.env.AVI_PASSWORD!,
 *   tls: { fingerprint: process.env.AVI_FINGERPRINT },
 * });
 * for await (const vs of client.list('/api/virtualservice', virtualServiceSchema, { fields: ['name'] })) console.log(vs.name);
 * ```
 */
export function createAviClient(options: AviClientOptions): AviClient {
  const checked = optionsSchema.safeParse({ ...options, password: options.password, token: options.token });
  if (!checked.success) throw ConfigError.fromZod('Avi client options', checked.error);
  if ((options.password === undefined) === (options.token === undefined))
    throw new ConfigError({
      message: 'Invalid Avi client options: give exactly one of password or token',
      issues: [{ path: 'password', message: 'password or token is required (not both)' }],
    });
  const url = new URL(options.baseUrl);
  if ((url.pathname !== '/' && url.pathname !== '') || url.username || url.password || url.search)
    throw new ConfigError({
      message:
        'Invalid Avi client options: baseUrl must be the controller origin, without path, query or credentials',
      issues: [{ path: 'baseUrl', message: 'origin only, e.g. https://avi.example.com' }],
    });
  enforceAviTransportSecurity(
    url,
    options.tls,
    options.allowInsecureHttp === true,
    options.onWarning ?? ((message) => console.warn(message)),
  );

  const origin = url.origin;
  const jar = createCookieJar();
  const stats: AviClientStats = { apiCalls: 0, logins: 0, relogins: 0, pagesFollowed: 0 };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 1_000;
  const fetchImpl: AviFetch = options.fetch ?? (undiciFetch as unknown as AviFetch);
  const ownAgent =
    options.dispatcher === undefined && url.protocol === 'https:'
      ? createAviDispatcher(options.tls)
      : undefined;
  const dispatcher = options.dispatcher ?? ownAgent;
  let apiVersion = options.version;
  let sessionCookieName = 'avi-sessionid';
  let loggedIn = false;
  // Bumped on every login: a request that fails with 401/419 re-logs in only if no other request
  // has already done so since it was sent (parallel reads share one re-login).
  let sessionGeneration = 0;
  let loginInFlight: Promise<LoginResponse> | undefined;

  // Everything a message could leak: the credential and every cookie value (session, CSRF).
  const secrets = () => [options.password, options.token, ...jar.values()];
  const redact = (text: string, maxLength?: number) =>
    maxLength === undefined ? redactSecrets(text, secrets()) : redactThenTruncate(text, maxLength, secrets());

  const tenantHeaders = (requestOptions: AviRequestOptions): Record<string, string> => {
    const tenantUuid = requestOptions.tenantUuid ?? (requestOptions.tenant ? undefined : options.tenantUuid);
    if (tenantUuid !== undefined) return { 'x-avi-tenant-uuid': tenantUuid };
    return { 'x-avi-tenant': requestOptions.tenant ?? options.tenant ?? 'admin' };
  };

  /** One HTTP exchange; the body is read with the size cap; cookies are taken from the answer. */
  const exchange = async (
    method: string,
    pathAndQuery: string,
    endpoint: string,
    headers: Record<string, string>,
    body: string | undefined,
    requestOptions: AviRequestOptions,
  ): Promise<{ status: number; text: string; contentType: string }> => {
    if (requestOptions.signal?.aborted) throw new AbortedError({ message: `${endpoint} was aborted` });
    const control = createCallControl({
      ...(requestOptions.signal === undefined ? {} : { signal: requestOptions.signal }),
      timeoutMs: requestOptions.timeoutMs ?? timeoutMs,
    });
    stats.apiCalls++;
    try {
      const init: AviFetchInit = { method, headers, signal: control.signal };
      if (body !== undefined) init.body = body;
      if (dispatcher !== undefined) init.dispatcher = dispatcher;
      const response = await Promise.race([fetchImpl(`${origin}${pathAndQuery}`, init), control.aborted]);
      jar.store(setCookiesOf(response));
      const text = await Promise.race([
        readBodyCapped(response, maxResponseBytes, endpoint, response.status, 'avi'),
        control.aborted,
      ]);
      return { status: response.status, text, contentType: response.headers.get('content-type') ?? '' };
    } catch (error) {
      const reason = control.failure();
      if (AbortedError.isInstance(reason)) throw new AbortedError({ message: `${endpoint} was aborted` });
      if (CollectorError.isInstance(error)) throw error;
      if (reason !== undefined)
        throw new CollectorError({
          message: `Avi API ${endpoint} timed out after ${requestOptions.timeoutMs ?? timeoutMs} ms`,
          source: 'avi',
          endpoint,
          isRetryable: true,
        });
      const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
      const code = (cause as { code?: unknown } | undefined)?.code;
      throw new CollectorError({
        message: redact(
          `Avi API ${endpoint} request failed: ${typeof code === 'string' ? `${code} ` : ''}${cause instanceof Error ? cause.message : String(cause)}`,
        ),
        source: 'avi',
        endpoint,
        isRetryable: true,
      });
    } finally {
      control.dispose();
    }
  };

  const doLogin = async (requestOptions: AviRequestOptions): Promise<LoginResponse> => {
    jar.clear();
    loggedIn = false;
    stats.logins++;
    const credentials =
      options.token !== undefined
        ? { username: options.username, token: options.token }
        : { username: options.username, password: options.password };
    const answer = await exchange(
      'POST',
      '/login',
      'POST /login',
      { 'content-type': 'application/json', accept: 'application/json' },
      JSON.stringify(credentials),
      requestOptions,
    );
    if (answer.status === 401 || answer.status === 403)
      throw new CollectorError({
        message: `Avi API POST /login was refused (${answer.status}): check the username and password or token`,
        source: 'avi',
        endpoint: 'POST /login',
        statusCode: answer.status,
      });
    if (answer.status < 200 || answer.status >= 300) throw httpError('POST /login', answer, redact);
    const login = parseJson('POST /login', answer, loginResponseSchema, redact);
    sessionCookieName = login.session_cookie_name ?? sessionCookieName;
    if (jar.get(sessionCookieName) === undefined && jar.get('sessionid') === undefined)
      throw new CollectorError({
        message: 'Avi API POST /login answered without a session cookie',
        source: 'avi',
        endpoint: 'POST /login',
        statusCode: answer.status,
      });
    loggedIn = true;
    sessionGeneration++;
    if (apiVersion === undefined) apiVersion = login.version?.Version;
    if (apiVersion === undefined) {
      const initial = await send('GET', '/api/initial-data', undefined, requestOptions, false);
      const data = parseJson(
        'GET /api/initial-data',
        initial,
        z.looseObject({ version: z.looseObject({ Version: z.string() }) }),
        redact,
      );
      apiVersion = data.version.Version;
    }
    return login;
  };

  const ensureSession = async (requestOptions: AviRequestOptions, force = false): Promise<void> => {
    if (loggedIn && !force) return;
    loginInFlight ??= doLogin(requestOptions).finally(() => {
      loginInFlight = undefined;
    });
    await loginInFlight;
  };

  /** Sends one API call with the session headers; on 401/419 logs in again and retries once. */
  const send = async (
    method: string,
    pathAndQuery: string,
    body: string | undefined,
    requestOptions: AviRequestOptions,
    relogin = true,
  ): Promise<{ status: number; text: string; contentType: string }> => {
    const endpoint = `${method} ${pathAndQuery.split('?')[0]}`;
    await ensureSession(requestOptions);
    for (let attempt = 1; ; attempt++) {
      const generation = sessionGeneration;
      const headers: Record<string, string> = {
        accept: 'application/json',
        referer: origin,
        ...tenantHeaders(requestOptions),
      };
      if (apiVersion !== undefined) headers['x-avi-version'] = apiVersion;
      const cookie = jar.header();
      if (cookie !== undefined) headers.cookie = cookie;
      const csrf = jar.get('csrftoken');
      if (csrf !== undefined) headers['x-csrftoken'] = csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const answer = await exchange(method, pathAndQuery, endpoint, headers, body, requestOptions);
      if ((answer.status === 401 || answer.status === 419) && relogin && attempt === 1) {
        if (loginInFlight !== undefined) await loginInFlight;
        else if (generation === sessionGeneration) {
          stats.relogins++;
          await ensureSession(requestOptions, true);
        }
        continue;
      }
      return answer;
    }
  };

  const get: AviClient['get'] = async (path, schema, requestOptions = {}) => {
    const { query, ...rest } = requestOptions;
    const pathAndQuery = `${checkApiPath(path)}${encodeQuery(query)}`;
    const endpoint = `GET ${path}`;
    const answer = await send('GET', pathAndQuery, undefined, rest);
    if (answer.status < 200 || answer.status >= 300) throw httpError(endpoint, answer, redact);
    return parseJson(endpoint, answer, schema, redact);
  };

  async function* list<Item extends z.ZodType>(
    path: string,
    item: Item,
    query: AviListQuery = {},
  ): AsyncIterable<z.output<Item>> {
    const envelope = collectionEnvelopeSchema(item);
    const { fields, includeName, joinRuntime, filters, pageSize: size, ...requestOptions } = query;
    const checkedPath = checkApiPath(path);
    const endpoint = `GET ${checkedPath}`;
    const effectivePageSize = size ?? pageSize;
    if (!Number.isInteger(effectivePageSize) || effectivePageSize < 1 || effectivePageSize > 200)
      throw new ValidationError({
        message: `page_size must be an integer from 1 to 200 (got ${effectivePageSize})`,
        issues: [{ path: 'pageSize', message: 'must be 1..200' }],
      });
    let pathAndQuery: string | undefined = `${checkedPath}${encodeQuery({
      ...filters,
      fields: fields?.join(','),
      include_name: includeName ? true : undefined,
      join_subresources: joinRuntime ? 'runtime' : undefined,
      page_size: effectivePageSize,
    })}`;
    const seen = new Set<string>();
    for (let page = 1; pathAndQuery !== undefined; page++) {
      if (page > maxPages || seen.has(pathAndQuery))
        throw new CollectorError({
          message: `Avi API ${endpoint} kept returning a next page (${page - 1} pages): stopped to avoid a loop`,
          source: 'avi',
          endpoint,
        });
      seen.add(pathAndQuery);
      if (page > 1) stats.pagesFollowed++;
      const answer = await send('GET', pathAndQuery, undefined, requestOptions);
      if (answer.status < 200 || answer.status >= 300) throw httpError(endpoint, answer, redact);
      const parsed = parseJson(endpoint, answer, envelope, redact);
      for (const result of parsed.results) yield result as z.output<Item>;
      pathAndQuery = parsed.next === undefined ? undefined : nextPage(parsed.next, checkedPath, endpoint);
    }
  }

  const listAll: AviClient['listAll'] = async (path, item, query) => {
    const items = [];
    for await (const value of list(path, item, query)) items.push(value);
    return items;
  };

  const postJson = async <Schema extends z.ZodType>(
    path: string,
    body: unknown,
    schema: Schema,
    requestOptions: AviRequestOptions,
  ): Promise<z.output<Schema>> => {
    const endpoint = `POST ${path}`;
    const answer = await send('POST', path, JSON.stringify(body), requestOptions);
    if (answer.status < 200 || answer.status >= 300) throw httpError(endpoint, answer, redact);
    return parseJson(endpoint, answer, schema, redact);
  };

  return {
    baseUrl: origin,
    stats,
    get apiVersion() {
      return apiVersion;
    },
    login: async (requestOptions = {}) => {
      await ensureSession(requestOptions, true);
      return (await loginInFlight) ?? { session_cookie_name: sessionCookieName };
    },
    logout: async (requestOptions = {}) => {
      if (!loggedIn) return;
      try {
        await send('POST', '/logout', '{}', requestOptions, false);
      } finally {
        jar.clear();
        loggedIn = false;
      }
    },
    get,
    list,
    listAll,
    listVirtualServices: (query) => listAll('/api/virtualservice', virtualServiceSchema, query),
    listPools: (query) => listAll('/api/pool', poolSchema, query),
    listPoolGroups: (query) => listAll('/api/poolgroup', poolGroupSchema, query),
    listVsVips: (query) => listAll('/api/vsvip', vsVipSchema, query),
    listServiceEngines: (query) => listAll('/api/serviceengine', serviceEngineSchema, query),
    listServiceEngineGroups: (query) => listAll('/api/serviceenginegroup', serviceEngineGroupSchema, query),
    listHealthMonitors: (query) => listAll('/api/healthmonitor', healthMonitorSchema, query),
    listClouds: (query) => listAll('/api/cloud', cloudSchema, query),
    listTenants: (query) => listAll('/api/tenant', tenantSchema, query),
    getObject: (type, uuid, { includeName, ...requestOptions } = {}) =>
      get(`/api/${type}/${encodeURIComponent(uuid)}`, objectSchemas[type], {
        ...requestOptions,
        query: { include_name: includeName ? true : undefined },
      }) as Promise<AviObjectOf<typeof type>>,
    findByName: (type, name, query = {}) =>
      listAll(`/api/${type}`, objectSchemas[type], {
        ...query,
        filters: { ...query.filters, name },
      }) as Promise<Array<AviObjectOf<typeof type>>>,
    listVirtualServiceInventory: (query) =>
      listAll('/api/virtualservice-inventory', virtualServiceInventorySchema, query),
    listPoolInventory: (query) => listAll('/api/pool-inventory', poolInventorySchema, query),
    listServiceEngineInventory: (query) =>
      listAll('/api/serviceengine-inventory', serviceEngineInventorySchema, query),
    getMetrics: (
      entity,
      uuid,
      { metricIds, step, limit, start, stop, padMissingData, ...requestOptions },
    ) => {
      if (metricIds.length === 0)
        throw new ValidationError({
          message: 'getMetrics needs at least one metric id',
          issues: [{ path: 'metricIds', message: 'empty' }],
        });
      return get(`/api/analytics/metrics/${entity}/${encodeURIComponent(uuid)}`, metricsResponseSchema, {
        ...requestOptions,
        query: {
          metric_id: metricIds.join(','),
          step: step ?? 300,
          limit: limit ?? 12,
          start,
          stop,
          pad_missing_data: padMissingData,
        },
      });
    },
    getMetricsCollection: (requests, requestOptions = {}) =>
      postJson(
        '/api/analytics/metrics/collection',
        { metric_requests: requests },
        metricsCollectionResponseSchema,
        requestOptions,
      ),
    execute: async (confirmed, requestOptions = {}) => {
      if (!isConfirmedWrite(confirmed))
        throw new ValidationError({
          message:
            'Avi writes run only from a confirmed plan (WriteLedger.confirm); this value was not issued by a ledger',
          issues: [{ path: '(root)', message: 'not a confirmed plan' }],
        });
      const { plan } = confirmed;
      const path = checkApiPath(plan.path);
      const endpoint = `${plan.method} ${path}`;
      const answer = await send(
        plan.method,
        path,
        plan.body === undefined ? undefined : JSON.stringify(plan.body),
        plan.tenant === undefined ? requestOptions : { ...requestOptions, tenant: plan.tenant },
      );
      if (answer.status < 200 || answer.status >= 300) throw httpError(endpoint, answer, redact);
      if (answer.text.trim() === '') return null;
      return parseJson(endpoint, answer, z.unknown(), redact);
    },
    close: async () => {
      try {
        if (loggedIn) await send('POST', '/logout', '{}', { timeoutMs: 5_000 }, false);
      } catch {
        // Logging out is best effort: the session expires on its own.
      } finally {
        jar.clear();
        loggedIn = false;
        await ownAgent?.close();
      }
    },
  };
}

function setCookiesOf(response: AviFetchResponse): string[] {
  if (typeof response.headers.getSetCookie === 'function') return response.headers.getSetCookie();
  const joined = response.headers.get('set-cookie');
  // Without getSetCookie the values are comma-joined; split only before a `name=`.
  return joined === null ? [] : joined.split(/,(?=\s*[A-Za-z0-9_.-]+=)/);
}

function checkApiPath(path: string): string {
  if (!/^\/api\/[A-Za-z0-9_\-./{}%@:-]*$/.test(path) || path.includes('..'))
    throw new ValidationError({
      message: `Not an Avi API path: ${JSON.stringify(path.slice(0, 200))} (it must start with /api/ and hold no query)`,
      issues: [{ path: 'path', message: 'must start with /api/' }],
    });
  return path;
}

function encodeQuery(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (query === undefined) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The controller's `next` is an absolute URL, often naming another host (the controller's own
 * name behind a proxy). Only its path and query are used, on this client's origin, and only when
 * the path is the same collection: a `next` can never send the session cookie elsewhere.
 */
function nextPage(next: string, path: string, endpoint: string): string {
  let url: URL;
  try {
    url = new URL(next, 'https://controller.invalid');
  } catch {
    throw new CollectorError({
      message: `Avi API ${endpoint} returned an unusable next link`,
      source: 'avi',
      endpoint,
    });
  }
  if (url.pathname.replace(/\/+$/, '') !== path.replace(/\/+$/, ''))
    throw new CollectorError({
      message: `Avi API ${endpoint} returned a next link to another path (${url.pathname.slice(0, 200)})`,
      source: 'avi',
      endpoint,
    });
  return `${path}${url.search}`;
}

function parseJson<Schema extends z.ZodType>(
  endpoint: string,
  answer: { status: number; text: string; contentType: string },
  schema: Schema,
  redact: (text: string, maxLength?: number) => string,
): z.output<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    const looksHtml = /^\s*</.test(answer.text) || answer.contentType.includes('html');
    throw new CollectorError({
      message: looksHtml
        ? `Avi API ${endpoint} returned HTML, not JSON (a login page or proxy error? check baseUrl): ${redact(answer.text.replace(/\s+/g, ' '), 120)}`
        : `Avi API ${endpoint} returned a body that is not JSON (truncated or corrupt, ${answer.text.length} characters): ${redact(answer.text, 120)}`,
      source: 'avi',
      endpoint,
      statusCode: answer.status,
    });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data as z.output<Schema>;
  const details = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new CollectorError({
    message: redact(`Avi API ${endpoint} returned an unexpected response: ${details}`),
    source: 'avi',
    endpoint,
    statusCode: answer.status,
  });
}

function httpError(
  endpoint: string,
  answer: { status: number; text: string; contentType: string },
  redact: (text: string, maxLength?: number) => string,
): CollectorError {
  let detail = '';
  try {
    const body = JSON.parse(answer.text) as { error?: unknown; detail?: unknown };
    const message =
      typeof body.error === 'string' ? body.error : typeof body.detail === 'string' ? body.detail : '';
    if (message) detail = `: ${message}`;
  } catch {
    if (!/^\s*</.test(answer.text) && answer.text.trim()) detail = `: ${answer.text.trim()}`;
  }
  const status = answer.status;
  return new CollectorError({
    message: redact(`Avi API ${endpoint} failed with ${status}${detail}`, 600),
    source: 'avi',
    endpoint,
    statusCode: status,
    isRetryable: status === 429 || status >= 500,
  });
}

import { z } from 'zod';
import type { AviClient } from '../avi-client';
import { refName, refUuid } from '../refs';
import { AVI_GET_PATH_TEMPLATES } from '../swagger-facts';
import { poolSchema } from '../wire-schemas';
import type { AviWritePlan } from '../write-plan';
import { AviToolError, resolveObject } from './resolve-object';

/** What a tool needs to run. */
export interface AviToolContext {
  client: AviClient;
  signal?: AbortSignal | undefined;
}

/** What a tool returns: a result for the model, and for write tools a plan to confirm. */
export interface AviToolOutput {
  result: unknown;
  plan?: AviWritePlan;
}

/**
 * One agent tool: a name, a description for the model, zod parameters (sent as JSON Schema), and
 * whether it reads or plans a write. Write tools never call the controller's write endpoints:
 * they read what they need and return a plan.
 */
export interface AviTool {
  name: string;
  description: string;
  parameters: z.ZodType;
  kind: 'read' | 'write';
  run(args: never, context: AviToolContext): Promise<AviToolOutput>;
}

const define = <Schema extends z.ZodType>(tool: {
  name: string;
  description: string;
  parameters: Schema;
  kind: 'read' | 'write';
  run(args: z.output<Schema>, context: AviToolContext): Promise<AviToolOutput>;
}): AviTool => tool as unknown as AviTool;

const name = z.string().min(1).max(256);
const nameContains = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe('Only objects whose name contains this text');

/** Friendly metric names → analytics metric ids, per entity. */
const metricAliases = {
  virtualservice: {
    throughput: 'l4_client.avg_bandwidth',
    open_connections: 'l4_client.max_open_conns',
    new_connections: 'l4_client.avg_complete_conns',
    requests: 'l7_client.avg_complete_responses',
    response_time: 'l7_server.avg_application_response_time',
    error_rate: 'l7_client.pct_response_errors',
    server_5xx: 'l7_server.avg_resp_5xx_errors',
    rtt: 'l4_client.avg_total_rtt',
  },
  pool: {
    throughput: 'l4_server.avg_bandwidth',
    open_connections: 'l4_server.max_open_conns',
    response_time: 'l7_server.avg_application_response_time',
    server_5xx: 'l7_server.avg_resp_5xx_errors',
  },
  serviceengine: { cpu: 'se_stats.avg_cpu_usage', memory: 'se_stats.avg_mem_usage' },
} as const;

const windows = {
  '1h': { step: 300, limit: 12 },
  '6h': { step: 300, limit: 72 },
  '24h': { step: 3600, limit: 24 },
  '7d': { step: 86400, limit: 7 },
} as const;

const inventoryRead = (context: AviToolContext) => ({
  includeName: true,
  ...(context.signal === undefined ? {} : { signal: context.signal }),
});

const operState = (status: { state?: string | undefined; reason?: string[] | undefined } | undefined) => ({
  oper_state: status?.state ?? 'OPER_UNKNOWN',
  ...(status?.reason?.length ? { reasons: status.reason } : {}),
});

const serverKey = (server: { ip: { addr: string }; port?: number | undefined }, defaultPort?: number) =>
  `${server.ip.addr}:${server.port ?? defaultPort ?? ''}`;

async function poolStatus(context: AviToolContext, poolName: string) {
  const pool = await resolveObject(context.client, 'pool', poolName, context.signal);
  const [inventory] = await context.client.listPoolInventory({
    ...inventoryRead(context),
    filters: { 'uuid.in': pool.uuid },
  });
  const runtime = new Map(
    (inventory?.runtime?.servers ?? []).map((server) => [
      `${server.ip_addr?.addr ?? ''}:${server.port ?? pool.default_server_port ?? ''}`,
      server.oper_status,
    ]),
  );
  return {
    name: pool.name,
    ...operState(inventory?.runtime?.oper_status),
    health_score: inventory?.health_score?.health_score,
    lb_algorithm: pool.lb_algorithm,
    health_monitors: (inventory?.config.health_monitor_refs ?? pool.health_monitor_refs ?? []).map(
      (ref) => refName(ref) ?? refUuid(ref),
    ),
    servers: (pool.servers ?? []).map((server) => ({
      server: serverKey(server, pool.default_server_port),
      enabled: server.enabled !== false,
      ratio: server.ratio ?? 1,
      ...operState(runtime.get(serverKey(server, pool.default_server_port))),
    })),
    virtual_services: (inventory?.virtualservices ?? []).map((ref) => refName(ref) ?? refUuid(ref)),
  };
}

async function virtualServiceStatus(context: AviToolContext, vsName: string) {
  const vs = await resolveObject(context.client, 'virtualservice', vsName, context.signal);
  const [inventory] = await context.client.listVirtualServiceInventory({
    ...inventoryRead(context),
    filters: { 'uuid.in': vs.uuid },
  });
  const engines = (inventory?.runtime?.vip_summary ?? []).flatMap((vip) =>
    (vip.service_engine ?? []).map(
      (se) => (se.url === undefined ? undefined : refName(se.url)) ?? se.uuid ?? refUuid(se.url ?? ''),
    ),
  );
  const pools = (inventory?.pools ?? (vs.pool_ref ? [vs.pool_ref] : [])).map(
    (ref) => refName(ref) ?? refUuid(ref),
  );
  return {
    vs,
    status: {
      name: vs.name,
      enabled: vs.enabled !== false,
      ...operState(inventory?.runtime?.oper_status),
      health_score: inventory?.health_score?.health_score,
      services: (vs.services ?? []).map((service) => `${service.port}${service.enable_ssl ? '/ssl' : ''}`),
      pools,
      service_engines: engines,
    },
  };
}

function checkedGetPath(path: string): string {
  // Dropping a query string here would answer an unfiltered list the model takes for a filtered one.
  if (path.includes('?') || path.includes('#'))
    throw new AviToolError(
      'invalid_arguments',
      'Put query parameters in `query` (e.g. { "path": "/api/pool", "query": { "name": "pool-web" } }), not in the path.',
    );
  const clean = path.replace(/\/+$/, '');
  const allowed = AVI_GET_PATH_TEMPLATES.some((template) =>
    new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[A-Za-z0-9_.:-]+')}$`,
    ).test(clean),
  );
  if (!allowed)
    throw new AviToolError(
      'not_allowed',
      `${JSON.stringify(clean.slice(0, 200))} is not a GET path of the Avi API spec (e.g. /api/pool/{uuid}/runtime/server/detail).`,
    );
  return clean;
}

/** The read tools: listing, details, inventory status, analytics, diagnosis, a GET-only escape hatch. */
export const aviReadTools: readonly AviTool[] = [
  define({
    name: 'list_virtual_services',
    description: 'List virtual services with oper state, health score, pools and service engines.',
    parameters: z.object({ name_contains: nameContains }).strict(),
    kind: 'read',
    run: async ({ name_contains }, context) => {
      const items = await context.client.listVirtualServiceInventory({
        ...inventoryRead(context),
        ...(name_contains ? { filters: { 'name.icontains': name_contains } } : {}),
      });
      return {
        result: items.map((item) => ({
          name: item.config.name,
          enabled: item.config.enabled !== false,
          ...operState(item.runtime?.oper_status),
          health_score: item.health_score?.health_score,
          pools: (item.pools ?? []).map((ref) => refName(ref) ?? refUuid(ref)),
        })),
      };
    },
  }),
  define({
    name: 'get_virtual_service',
    description: 'Details of one virtual service by name: state, health, services, pools, service engines.',
    parameters: z.object({ name }).strict(),
    kind: 'read',
    run: async ({ name: vsName }, context) => ({
      result: (await virtualServiceStatus(context, vsName)).status,
    }),
  }),
  define({
    name: 'list_pools',
    description: 'List pools with oper state, health score and how many servers are up.',
    parameters: z.object({ name_contains: nameContains }).strict(),
    kind: 'read',
    run: async ({ name_contains }, context) => {
      const items = await context.client.listPoolInventory({
        ...inventoryRead(context),
        ...(name_contains ? { filters: { 'name.icontains': name_contains } } : {}),
      });
      return {
        result: items.map((item) => ({
          name: item.config.name,
          ...operState(item.runtime?.oper_status),
          health_score: item.health_score?.health_score,
          servers_up: item.runtime?.num_servers_up,
          servers_total: item.runtime?.num_servers ?? item.config.servers?.length,
        })),
      };
    },
  }),
  define({
    name: 'get_pool',
    description:
      'Details of one pool by name: every server with enabled, ratio and oper state (with reasons), health monitors, virtual services.',
    parameters: z.object({ name }).strict(),
    kind: 'read',
    run: async ({ name: poolName }, context) => ({ result: await poolStatus(context, poolName) }),
  }),
  define({
    name: 'list_pool_groups',
    description: 'List pool groups and their member pools.',
    parameters: z.object({}).strict(),
    kind: 'read',
    run: async (_, context) => ({
      result: (await context.client.listPoolGroups(inventoryRead(context))).map((group) => ({
        name: group.name,
        members: (group.members ?? []).map((member) => ({
          pool: refName(member.pool_ref) ?? refUuid(member.pool_ref),
          ratio: member.ratio,
        })),
      })),
    }),
  }),
  define({
    name: 'list_service_engines',
    description:
      'List service engines with enable state, oper state, power state, health and the virtual services they run.',
    parameters: z.object({}).strict(),
    kind: 'read',
    run: async (_, context) => ({
      result: (await context.client.listServiceEngineInventory(inventoryRead(context))).map((se) => ({
        name: se.config.name,
        enable_state: se.config.enable_state,
        ...operState(se.runtime?.oper_status),
        power_state: se.runtime?.power_state,
        health_score: se.health_score?.health_score,
        virtual_services: (se.config.vs_refs ?? []).map((ref) => refName(ref) ?? refUuid(ref)),
      })),
    }),
  }),
  define({
    name: 'get_service_engine',
    description: 'Details of one service engine by name, including CPU and memory use over the last hour.',
    parameters: z.object({ name }).strict(),
    kind: 'read',
    run: async ({ name: seName }, context) => {
      const se = await resolveObject(context.client, 'serviceengine', seName, context.signal);
      const [inventory] = await context.client.listServiceEngineInventory({
        ...inventoryRead(context),
        filters: { 'uuid.in': se.uuid },
      });
      const metrics = await context.client.getMetrics('serviceengine', se.uuid, {
        metricIds: [metricAliases.serviceengine.cpu, metricAliases.serviceengine.memory],
        step: 300,
        limit: 12,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      return {
        result: {
          name: se.name,
          enable_state: se.enable_state,
          ...operState(inventory?.runtime?.oper_status),
          power_state: inventory?.runtime?.power_state,
          health_score: inventory?.health_score?.health_score,
          se_group:
            se.se_group_ref === undefined
              ? undefined
              : (refName(se.se_group_ref) ?? refUuid(se.se_group_ref)),
          resources: se.resources,
          virtual_services: (inventory?.config.vs_refs ?? []).map((ref) => refName(ref) ?? refUuid(ref)),
          cpu_percent: metrics.series[0]?.data.at(-1)?.value,
          memory_percent: metrics.series[1]?.data.at(-1)?.value,
        },
      };
    },
  }),
  define({
    name: 'list_service_engine_groups',
    description: 'List service engine groups with their scale-out and placement limits.',
    parameters: z.object({}).strict(),
    kind: 'read',
    run: async (_, context) => ({
      result: (await context.client.listServiceEngineGroups(inventoryRead(context))).map((group) => ({
        name: group.name,
        max_scaleout_per_vs: group.max_scaleout_per_vs,
        max_vs_per_se: group.max_vs_per_se,
        max_se: group.max_se,
      })),
    }),
  }),
  define({
    name: 'list_health_monitors',
    description: 'List health monitors with their type and timing.',
    parameters: z.object({ name_contains: nameContains }).strict(),
    kind: 'read',
    run: async ({ name_contains }, context) => ({
      result: (
        await context.client.listHealthMonitors({
          ...inventoryRead(context),
          ...(name_contains ? { filters: { 'name.icontains': name_contains } } : {}),
        })
      ).map((monitor) => ({
        name: monitor.name,
        type: monitor.type,
        send_interval: monitor.send_interval,
        failed_checks: monitor.failed_checks,
      })),
    }),
  }),
  define({
    name: 'get_health_monitor',
    description: 'Details of one health monitor by name.',
    parameters: z.object({ name }).strict(),
    kind: 'read',
    run: async ({ name: monitorName }, context) => ({
      result: await resolveObject(context.client, 'healthmonitor', monitorName, context.signal),
    }),
  }),
  define({
    name: 'get_inventory_status',
    description:
      'Oper state and health score of every virtual service, pool or service engine (from the inventory).',
    parameters: z.object({ kind: z.enum(['virtualservice', 'pool', 'serviceengine']) }).strict(),
    kind: 'read',
    run: async ({ kind }, context) => {
      const read = inventoryRead(context);
      const items =
        kind === 'virtualservice'
          ? await context.client.listVirtualServiceInventory(read)
          : kind === 'pool'
            ? await context.client.listPoolInventory(read)
            : await context.client.listServiceEngineInventory(read);
      return {
        result: items.map((item) => ({
          name: item.config.name,
          ...operState(item.runtime?.oper_status),
          health_score: item.health_score?.health_score,
        })),
      };
    },
  }),
  define({
    name: 'get_analytics',
    description:
      'Recent metric of a virtual service (throughput, open_connections, new_connections, requests, response_time, error_rate, server_5xx, rtt), pool (throughput, open_connections, response_time, server_5xx) or service engine (cpu, memory).',
    parameters: z
      .object({
        entity: z.enum(['virtualservice', 'pool', 'serviceengine']),
        name,
        metric: z.enum([
          'throughput',
          'open_connections',
          'new_connections',
          'requests',
          'response_time',
          'error_rate',
          'server_5xx',
          'rtt',
          'cpu',
          'memory',
        ]),
        window: z.enum(['1h', '6h', '24h', '7d']).default('1h'),
      })
      .strict(),
    kind: 'read',
    run: async ({ entity, name: objectName, metric, window }, context) => {
      const metricId = (metricAliases[entity] as Record<string, string>)[metric];
      if (metricId === undefined)
        throw new AviToolError(
          'invalid_arguments',
          `Metric ${metric} does not exist for ${entity}; use one of ${Object.keys(metricAliases[entity]).join(', ')}.`,
        );
      const object = await resolveObject(context.client, entity, objectName, context.signal);
      const { step, limit } = windows[window];
      const response = await context.client.getMetrics(entity, object.uuid, {
        metricIds: [metricId],
        step,
        limit,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      const series = response.series[0];
      const values = (series?.data ?? []).map((point) => point.value).filter((value) => value !== null);
      return {
        result: {
          entity,
          name: object.name,
          metric_id: metricId,
          units: series?.header.units,
          step_seconds: step,
          values,
          latest: values.at(-1),
          mean: series?.header.statistics?.mean,
          min: series?.header.statistics?.min,
          max: series?.header.statistics?.max,
        },
      };
    },
  }),
  define({
    name: 'why_is_down',
    description:
      'Diagnose a virtual service or pool: its oper state and reasons, each pool behind it, each server that is not up with the health monitor reasons, and the service engines it runs on.',
    parameters: z
      .object({ kind: z.enum(['virtualservice', 'pool']).default('virtualservice'), name })
      .strict(),
    kind: 'read',
    run: async ({ kind, name: objectName }, context) => {
      if (kind === 'pool') {
        const pool = await poolStatus(context, objectName);
        return { result: { pool, problems: poolProblems(pool) } };
      }
      const { status } = await virtualServiceStatus(context, objectName);
      const pools = await Promise.all(status.pools.map((poolName) => poolStatus(context, poolName)));
      const engines = await context.client.listServiceEngineInventory(inventoryRead(context));
      const placed = engines
        .filter(
          (se) => status.service_engines.includes(se.uuid) || status.service_engines.includes(se.config.name),
        )
        .map((se) => ({
          name: se.config.name,
          enable_state: se.config.enable_state,
          ...operState(se.runtime?.oper_status),
          health_score: se.health_score?.health_score,
        }));
      const problems = [
        ...(status.oper_state === 'OPER_UP' ? [] : [`virtual service is ${status.oper_state}`]),
        ...pools.flatMap(poolProblems),
        ...placed
          .filter((se) => se.oper_state !== 'OPER_UP')
          .map((se) => `service engine ${se.name} is ${se.oper_state}`),
      ];
      return {
        result: { virtual_service: status, pools, service_engines: placed, problems },
      };
    },
  }),
  define({
    name: 'api_get',
    description:
      'Read-only escape hatch: GET any path of the Avi API spec (e.g. /api/pool/{uuid}/runtime/server/detail) when no other tool fits. Only GET; only spec paths.',
    parameters: z
      .object({
        path: z.string().min(5).max(300),
        query: z.record(z.string().regex(/^[a-z_.]{1,40}$/), z.string().max(200)).optional(),
      })
      .strict(),
    kind: 'read',
    run: async ({ path, query }, context) => ({
      result: await context.client.get(checkedGetPath(path), z.unknown(), {
        ...(query === undefined ? {} : { query }),
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      }),
    }),
  }),
];

function poolProblems(pool: Awaited<ReturnType<typeof poolStatus>>): string[] {
  const problems: string[] = [];
  if (pool.oper_state !== 'OPER_UP') problems.push(`pool ${pool.name} is ${pool.oper_state}`);
  for (const server of pool.servers)
    if (server.enabled && server.oper_state !== 'OPER_UP')
      problems.push(
        `pool ${pool.name} server ${server.server} is ${server.oper_state}${
          server.reasons?.length ? `: ${server.reasons.join('; ')}` : ''
        }`,
      );
  return problems;
}

const vipId = z.string().min(1).max(10).default('0').describe('VIP id (usually "0")');

async function serviceEngineRef(
  context: AviToolContext,
  seName: string,
): Promise<{ uuid: string; url: string }> {
  const se = await resolveObject(context.client, 'serviceengine', seName, context.signal);
  return { uuid: se.uuid, url: `${context.client.baseUrl}/api/serviceengine/${se.uuid}` };
}

async function poolServerChange(
  context: AviToolContext,
  poolName: string,
  server: string,
  change: (current: { enabled: boolean; ratio: number }) => { enabled?: boolean; ratio?: number },
) {
  const pool = await resolveObject(context.client, 'pool', poolName, context.signal);
  const servers = pool.servers ?? [];
  const index = servers.findIndex(
    (candidate) => serverKey(candidate, pool.default_server_port) === server || candidate.ip.addr === server,
  );
  if (index < 0)
    throw new AviToolError(
      'not_found',
      `Pool ${pool.name} has no server ${JSON.stringify(server.slice(0, 100))}; its servers are ${servers
        .map((candidate) => serverKey(candidate, pool.default_server_port))
        .join(', ')}.`,
    );
  const current = servers[index]!;
  const before = { enabled: current.enabled !== false, ratio: current.ratio ?? 1 };
  const after = { ...before, ...change(before) };
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  if (after.enabled !== before.enabled)
    diff[`servers[${index}].enabled`] = { from: before.enabled, to: after.enabled };
  if (after.ratio !== before.ratio) diff[`servers[${index}].ratio`] = { from: before.ratio, to: after.ratio };
  if (Object.keys(diff).length === 0)
    throw new AviToolError('not_allowed', `Server ${server} of pool ${pool.name} is already in that state.`);
  const enabledAfter = servers.filter((candidate, position) =>
    position === index ? after.enabled : candidate.enabled !== false,
  );
  if (enabledAfter.length === 0)
    throw new AviToolError(
      'not_allowed',
      `Disabling ${server} would leave pool ${pool.name} with no enabled server.`,
    );
  const updatedServers = servers.map((candidate, position) =>
    position === index ? { ...candidate, enabled: after.enabled, ratio: after.ratio } : candidate,
  );
  return {
    pool: poolSchema.parse(pool),
    updatedServers,
    diff,
    serverKey: serverKey(current, pool.default_server_port),
    enabledAfter,
  };
}

/** The write tools: each returns a plan (method, path, body, diff, risk); none writes. */
export const aviWriteTools: readonly AviTool[] = [
  define({
    name: 'scale_out_virtual_service',
    description:
      'Plan: place a virtual service on one more service engine (optionally a given one). Needs human confirmation.',
    parameters: z.object({ name, to_service_engine: name.optional(), vip_id: vipId }).strict(),
    kind: 'write',
    run: async ({ name: vsName, to_service_engine, vip_id }, context) => {
      const vs = await resolveObject(context.client, 'virtualservice', vsName, context.signal);
      const target = to_service_engine ? await serviceEngineRef(context, to_service_engine) : undefined;
      return planned({
        method: 'POST',
        path: `/api/virtualservice/${vs.uuid}/scaleout`,
        body: { vip_id, ...(target ? { to_se_ref: target.url } : {}) },
        risk: 'medium',
        summary: `Scale out ${vs.name} (VIP ${vip_id}) to ${to_service_engine ?? 'one more service engine'}`,
      });
    },
  }),
  define({
    name: 'scale_in_virtual_service',
    description: 'Plan: remove a virtual service from one of its service engines. Needs human confirmation.',
    parameters: z.object({ name, from_service_engine: name.optional(), vip_id: vipId }).strict(),
    kind: 'write',
    run: async ({ name: vsName, from_service_engine, vip_id }, context) => {
      const vs = await resolveObject(context.client, 'virtualservice', vsName, context.signal);
      const from = from_service_engine ? await serviceEngineRef(context, from_service_engine) : undefined;
      return planned({
        method: 'POST',
        path: `/api/virtualservice/${vs.uuid}/scalein`,
        body: { vip_id, ...(from ? { from_se_ref: from.url } : {}) },
        risk: 'medium',
        summary: `Scale in ${vs.name} (VIP ${vip_id})${from_service_engine ? ` from ${from_service_engine}` : ''}`,
      });
    },
  }),
  define({
    name: 'migrate_virtual_service',
    description:
      'Plan: move a virtual service from one service engine to another (e.g. a cooler one). Needs human confirmation.',
    parameters: z
      .object({ name, from_service_engine: name, to_service_engine: name, vip_id: vipId })
      .strict(),
    kind: 'write',
    run: async ({ name: vsName, from_service_engine, to_service_engine, vip_id }, context) => {
      const vs = await resolveObject(context.client, 'virtualservice', vsName, context.signal);
      const [from, to] = await Promise.all([
        serviceEngineRef(context, from_service_engine),
        serviceEngineRef(context, to_service_engine),
      ]);
      if (from.uuid === to.uuid)
        throw new AviToolError('not_allowed', 'Source and target service engine are the same.');
      return planned({
        method: 'POST',
        path: `/api/virtualservice/${vs.uuid}/migrate`,
        body: { vip_id, from_se_ref: from.url, to_se_ref: to.url },
        risk: 'medium',
        summary: `Migrate ${vs.name} from ${from_service_engine} to ${to_service_engine}`,
      });
    },
  }),
  define({
    name: 'switchover_virtual_service',
    description:
      'Plan: switch a virtual service over to its standby service engine. Needs human confirmation.',
    parameters: z.object({ name, vip_id: vipId }).strict(),
    kind: 'write',
    run: async ({ name: vsName, vip_id }, context) => {
      const vs = await resolveObject(context.client, 'virtualservice', vsName, context.signal);
      return planned({
        method: 'POST',
        path: `/api/virtualservice/${vs.uuid}/switchover`,
        body: { vip_id },
        risk: 'high',
        summary: `Switch ${vs.name} over to its standby service engine`,
      });
    },
  }),
  define({
    name: 'set_pool_server_enabled',
    description: 'Plan: enable or disable one server (ip or ip:port) of a pool. Needs human confirmation.',
    parameters: z.object({ pool: name, server: z.string().min(1).max(300), enabled: z.boolean() }).strict(),
    kind: 'write',
    run: async ({ pool: poolName, server, enabled }, context) => {
      const change = await poolServerChange(context, poolName, server, () => ({ enabled }));
      return planned({
        method: 'PATCH',
        path: `/api/pool/${change.pool.uuid}`,
        body: { replace: { servers: change.updatedServers } },
        diff: change.diff,
        risk: enabled ? 'low' : change.enabledAfter.length === 1 ? 'high' : 'medium',
        summary: `${enabled ? 'Enable' : 'Disable'} server ${change.serverKey} of pool ${change.pool.name}`,
      });
    },
  }),
  define({
    name: 'set_pool_server_ratio',
    description: 'Plan: change the ratio (1-20) of one server of a pool. Needs human confirmation.',
    parameters: z
      .object({ pool: name, server: z.string().min(1).max(300), ratio: z.number().int().min(1).max(20) })
      .strict(),
    kind: 'write',
    run: async ({ pool: poolName, server, ratio }, context) => {
      const change = await poolServerChange(context, poolName, server, () => ({ ratio }));
      return planned({
        method: 'PATCH',
        path: `/api/pool/${change.pool.uuid}`,
        body: { replace: { servers: change.updatedServers } },
        diff: change.diff,
        risk: 'low',
        summary: `Set the ratio of server ${change.serverKey} of pool ${change.pool.name} to ${ratio}`,
      });
    },
  }),
  define({
    name: 'scale_out_pool',
    description:
      'Plan: ask the controller to scale a pool out (autoscale-managed pools). Needs human confirmation.',
    parameters: z.object({ name, reason: z.string().max(200).optional() }).strict(),
    kind: 'write',
    run: async ({ name: poolName, reason }, context) => {
      const pool = await resolveObject(context.client, 'pool', poolName, context.signal);
      return planned({
        method: 'POST',
        path: `/api/pool/${pool.uuid}/scaleout`,
        body: reason ? { reason } : {},
        risk: 'medium',
        summary: `Scale out pool ${pool.name}`,
      });
    },
  }),
  define({
    name: 'scale_in_pool',
    description:
      'Plan: ask the controller to scale a pool in (autoscale-managed pools). Needs human confirmation.',
    parameters: z.object({ name, reason: z.string().max(200).optional() }).strict(),
    kind: 'write',
    run: async ({ name: poolName, reason }, context) => {
      const pool = await resolveObject(context.client, 'pool', poolName, context.signal);
      return planned({
        method: 'POST',
        path: `/api/pool/${pool.uuid}/scalein`,
        body: reason ? { reason } : {},
        risk: 'medium',
        summary: `Scale in pool ${pool.name}`,
      });
    },
  }),
  define({
    name: 'delete_virtual_service',
    description: 'Plan: delete a virtual service. Destructive; needs human confirmation.',
    parameters: z.object({ name }).strict(),
    kind: 'write',
    run: async ({ name: vsName }, context) => {
      const vs = await resolveObject(context.client, 'virtualservice', vsName, context.signal);
      return planned({
        method: 'DELETE',
        path: `/api/virtualservice/${vs.uuid}`,
        diff: { [vs.name]: { from: 'exists', to: 'deleted' } },
        risk: 'high',
        summary: `Delete virtual service ${vs.name} (traffic to its VIP stops)`,
      });
    },
  }),
];

function planned(plan: AviWritePlan): AviToolOutput {
  return {
    plan,
    result: {
      status: 'pending_confirmation',
      summary: plan.summary,
      risk: plan.risk,
      note: 'Nothing was changed. The plan was shown to the operator, who must confirm it; you cannot confirm it yourself.',
    },
  };
}

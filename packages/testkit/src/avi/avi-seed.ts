import { recordedAviController } from './recorded-controller';

/** The recorded controller host; the fake rewrites it to its own origin in every answer. */
export const RECORDED_AVI_ORIGIN = 'https://avi-controller';

/** Runtime state of one object: what the `*-inventory` endpoints report. */
export interface FakeAviRuntime {
  /** `OperationalStatus.state`, e.g. `OPER_UP`. */
  operState: string;
  reasons?: string[];
  healthScore?: number;
  /** Pools: the state of each server, keyed `ip:port`. */
  servers?: Record<string, { operState: string; reasons?: string[] }>;
  /** Service engines: `power_state` (SE_POWER_ON…). */
  powerState?: string;
}

/**
 * What a fake controller serves: configuration objects by type (as the API returns them), runtime
 * state by uuid, where each virtual service is placed, and analytics series by entity uuid and
 * metric id (oldest first, one value per `step`).
 */
export interface FakeAviSeed {
  objects: Record<string, Array<Record<string, unknown>>>;
  runtime: Record<string, FakeAviRuntime>;
  /** Virtual-service uuid → service-engine uuids it runs on. */
  placements: Record<string, string[]>;
  metrics: Record<string, Record<string, number[]>>;
  /** The login answer (version, user, tenants). */
  login: Record<string, unknown>;
}

const origin = RECORDED_AVI_ORIGIN;
const ref = (type: string, uuid: string) => `${origin}/api/${type}/${uuid}`;
const admin = `${origin}/api/tenant/admin`;
const cloud = `${origin}/api/cloud/cloud-7450a14d-232f-46bc-a878-ee3844b5937c`;
const seGroupUuid = 'serviceenginegroup-accee5f4-45ed-4ee6-8edc-cf09cd066d50';

/** Well-known uuids of the demo scenario, for tests. */
export const aviScenario = {
  vsShop: 'virtualservice-5b0c2a4e-1f3d-4c53-9a4e-6f0a5c3b7d21',
  poolShopWeb: 'pool-8d1e6b2a-7c44-4f0e-b9a1-2e5d7c9f1a30',
  poolShopApi: 'pool-3f9a7c1e-2b6d-4e8a-a5c3-9d1b7e4f6a02',
  vsApi: 'virtualservice-c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  seHot: 'se-005056b1c2d3',
  seCool: 'se-005056b1c2d4',
  seSpare: 'se-005056b1c2d5',
  seMaintenance: 'se-005056b1c2d6',
  healthMonitorShop: 'healthmonitor-4a7b9c2d-6e1f-4a3b-8c5d-7e9f1a2b3c4d',
  seGroup: seGroupUuid,
  /** The server of pool-shop-web that fails its health monitor. */
  downServer: '10.10.1.13:8080',
} as const;

const stamp = '1710000000000000';
const rising = (from: number, to: number, samples = 12) =>
  Array.from(
    { length: samples },
    (_, index) => Math.round((from + ((to - from) * index) / (samples - 1)) * 100) / 100,
  );

function scenarioObjects(): Record<string, Array<Record<string, unknown>>> {
  const s = aviScenario;
  const base = (type: string, uuid: string, name: string) => ({
    url: ref(type, uuid),
    uuid,
    name,
    tenant_ref: admin,
    cloud_ref: cloud,
    _last_modified: stamp,
  });
  const server = (addr: string, extra: Record<string, unknown> = {}) => ({
    ip: { addr, type: 'V4' },
    port: 8080,
    hostname: addr,
    enabled: true,
    ratio: 1,
    ...extra,
  });
  const se = (uuid: string, name: string, enableState: string, mgmt: string) => ({
    ...base('serviceengine', uuid, name),
    enable_state: enableState,
    se_group_ref: ref('serviceenginegroup', seGroupUuid),
    controller_ip: '10.10.20.10',
    hypervisor: 'DEFAULT',
    resources: { num_vcpus: 2, memory: 4096, disk: 25 },
    mgmt_vnic: {
      mac_address: '00:50:56:b1:c2:d3',
      vnic_networks: [{ ip: { ip_addr: { addr: mgmt, type: 'V4' }, mask: 24 }, mode: 'DHCP' }],
    },
  });
  return {
    serviceenginegroup: [
      {
        ...base('serviceenginegroup', seGroupUuid, 'Default-Group'),
        max_scaleout_per_vs: 4,
        max_vs_per_se: 10,
        max_se: 10,
      },
    ],
    serviceengine: [
      se(s.seHot, 'Avi-se-hot', 'SE_STATE_ENABLED', '10.10.20.31'),
      se(s.seCool, 'Avi-se-cool', 'SE_STATE_ENABLED', '10.10.20.32'),
      se(s.seSpare, 'Avi-se-spare', 'SE_STATE_ENABLED', '10.10.20.33'),
      se(s.seMaintenance, 'Avi-se-maint', 'SE_STATE_DISABLED', '10.10.20.34'),
    ],
    healthmonitor: [
      {
        ...base('healthmonitor', s.healthMonitorShop, 'hm-shop-http'),
        type: 'HEALTH_MONITOR_HTTP',
        send_interval: 10,
        receive_timeout: 4,
        successful_checks: 2,
        failed_checks: 2,
        http_monitor: { http_request: 'GET /healthz HTTP/1.0', http_response_code: ['HTTP_2XX'] },
      },
    ],
    pool: [
      {
        ...base('pool', s.poolShopWeb, 'pool-shop-web'),
        enabled: true,
        default_server_port: 8080,
        lb_algorithm: 'LB_ALGORITHM_LEAST_CONNECTIONS',
        health_monitor_refs: [ref('healthmonitor', s.healthMonitorShop)],
        servers: [server('10.10.1.11'), server('10.10.1.12'), server('10.10.1.13')],
      },
      {
        ...base('pool', s.poolShopApi, 'pool-shop-api'),
        enabled: true,
        default_server_port: 8080,
        lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN',
        health_monitor_refs: [ref('healthmonitor', s.healthMonitorShop)],
        servers: [server('10.10.2.21'), server('10.10.2.22'), server('10.10.2.23', { enabled: false })],
      },
    ],
    virtualservice: [
      {
        ...base('virtualservice', s.vsShop, 'vs-shop'),
        enabled: true,
        traffic_enabled: true,
        type: 'VS_TYPE_NORMAL',
        services: [{ port: 443, port_range_end: 443, enable_ssl: true, enable_http2: false }],
        pool_ref: ref('pool', s.poolShopWeb),
        se_group_ref: ref('serviceenginegroup', seGroupUuid),
        // A plain VS GET returns these secrets on a real controller; the redaction tests need them.
        tls_ticket_key: [
          {
            name: 'shop-ticket-1',
            aes_key: 'U2hvcEFlc0tleTEyMzQ1Ng==',
            hmac_key: 'U2hvcEhtYWNLZXk5ODc2NQ==',
          },
        ],
      },
      {
        ...base('virtualservice', s.vsApi, 'vs-api'),
        enabled: true,
        traffic_enabled: true,
        type: 'VS_TYPE_NORMAL',
        services: [{ port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false }],
        pool_ref: ref('pool', s.poolShopApi),
        se_group_ref: ref('serviceenginegroup', seGroupUuid),
      },
    ],
    tenant: [{ url: admin, uuid: 'admin', name: 'admin', local: true, _last_modified: stamp }],
    cloud: [
      {
        url: cloud,
        uuid: 'cloud-7450a14d-232f-46bc-a878-ee3844b5937c',
        name: 'Default-Cloud',
        vtype: 'CLOUD_NONE',
      },
    ],
  };
}

/**
 * The default seed: the recorded objects of the alb-sdk cassettes (basic_vs, ssl_vs, their pools
 * and VIPs, a second tenant) plus a demo scenario built from the swagger's field names: `vs-shop`
 * on an overloaded SE (`Avi-se-hot`, 91 % CPU) with a falling health score and a rising 5xx rate,
 * its pool `pool-shop-web` with one server failing the `hm-shop-http` monitor, `vs-api` on a cool
 * SE, a spare SE and a disabled one.
 *
 * @example
 * ```ts
 * const avi = await startFakeAviController({ seed: createDefaultAviSeed() });
 * ```
 */
export function createDefaultAviSeed(): FakeAviSeed {
  const recorded = structuredClone(recordedAviController);
  const objects = scenarioObjects();
  for (const [type, list] of Object.entries(recorded.objects))
    objects[type] = [...(objects[type] ?? []), ...list];
  const s = aviScenario;
  const runtime: Record<string, FakeAviRuntime> = {
    [s.vsShop]: { operState: 'OPER_UP', healthScore: 58 },
    [s.vsApi]: { operState: 'OPER_UP', healthScore: 96 },
    [s.poolShopWeb]: {
      operState: 'OPER_UP',
      healthScore: 61,
      servers: {
        '10.10.1.11:8080': { operState: 'OPER_UP' },
        '10.10.1.12:8080': { operState: 'OPER_UP' },
        '10.10.1.13:8080': {
          operState: 'OPER_DOWN',
          reasons: [
            'Server 10.10.1.13:8080 failed health monitor hm-shop-http: connect() refused, 14 checks in a row',
          ],
        },
      },
    },
    [s.poolShopApi]: {
      operState: 'OPER_UP',
      healthScore: 94,
      servers: {
        '10.10.2.21:8080': { operState: 'OPER_UP' },
        '10.10.2.22:8080': { operState: 'OPER_UP' },
        '10.10.2.23:8080': {
          operState: 'OPER_DISABLED',
          reasons: ['Server is disabled by the administrator'],
        },
      },
    },
    [s.seHot]: { operState: 'OPER_UP', healthScore: 71, powerState: 'SE_POWER_ON' },
    [s.seCool]: { operState: 'OPER_UP', healthScore: 100, powerState: 'SE_POWER_ON' },
    [s.seSpare]: { operState: 'OPER_UP', healthScore: 100, powerState: 'SE_POWER_ON' },
    [s.seMaintenance]: { operState: 'OPER_DISABLED', healthScore: 100, powerState: 'SE_POWER_ON' },
  };
  const metrics: FakeAviSeed['metrics'] = {
    [s.vsShop]: {
      'l4_client.avg_bandwidth': rising(180e6, 420e6),
      'l4_client.max_open_conns': rising(1_800, 4_200),
      'l7_server.avg_application_response_time': rising(40, 310),
      'l7_client.pct_response_errors': rising(0.4, 9.5),
      'l7_server.avg_resp_5xx_errors': rising(1, 48),
      'healthscore.health_score_value': rising(94, 58),
    },
    [s.vsApi]: {
      'l4_client.avg_bandwidth': rising(40e6, 45e6),
      'l4_client.max_open_conns': rising(300, 320),
      'l7_server.avg_application_response_time': rising(22, 24),
      'l7_client.pct_response_errors': rising(0.1, 0.1),
      'l7_server.avg_resp_5xx_errors': rising(0, 0),
      'healthscore.health_score_value': rising(96, 96),
    },
    [s.seHot]: { 'se_stats.avg_cpu_usage': rising(72, 91), 'se_stats.avg_mem_usage': rising(60, 68) },
    [s.seCool]: { 'se_stats.avg_cpu_usage': rising(20, 22), 'se_stats.avg_mem_usage': rising(35, 35) },
    [s.seSpare]: { 'se_stats.avg_cpu_usage': rising(6, 8), 'se_stats.avg_mem_usage': rising(20, 20) },
    [s.seMaintenance]: { 'se_stats.avg_cpu_usage': rising(0, 0), 'se_stats.avg_mem_usage': rising(10, 10) },
  };
  return {
    objects,
    runtime,
    placements: { [s.vsShop]: [s.seHot], [s.vsApi]: [s.seCool] },
    metrics,
    login: recorded.login,
  };
}

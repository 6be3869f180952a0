// Generated from the alb-sdk swagger (v30.2.1) copied in src/__fixtures__/swagger; `swagger-facts.test.ts`
// re-derives every list from those files, so an edit here that the spec does not back fails the tests.

/**
 * `Pool.lb_algorithm` values (NEAREST_SERVER and TOPOLOGY are GSLB-only).
 *
 * @example
 * ```ts
 * AVI_LB_ALGORITHMS.includes('LB_ALGORITHM_LEAST_CONNECTIONS'); // true
 * ```
 */
export const AVI_LB_ALGORITHMS = [
  'LB_ALGORITHM_LEAST_CONNECTIONS',
  'LB_ALGORITHM_ROUND_ROBIN',
  'LB_ALGORITHM_FASTEST_RESPONSE',
  'LB_ALGORITHM_CONSISTENT_HASH',
  'LB_ALGORITHM_LEAST_LOAD',
  'LB_ALGORITHM_FEWEST_SERVERS',
  'LB_ALGORITHM_RANDOM',
  'LB_ALGORITHM_FEWEST_TASKS',
  'LB_ALGORITHM_NEAREST_SERVER',
  'LB_ALGORITHM_CORE_AFFINITY',
  'LB_ALGORITHM_TOPOLOGY',
] as const;

/**
 * `OperationalStatus.state` values.
 *
 * @example
 * ```ts
 * AVI_OPER_STATES.includes('OPER_UP'); // true
 * ```
 */
export const AVI_OPER_STATES = [
  'OPER_UP',
  'OPER_DOWN',
  'OPER_CREATING',
  'OPER_RESOURCES',
  'OPER_INACTIVE',
  'OPER_DISABLED',
  'OPER_UNUSED',
  'OPER_UNKNOWN',
  'OPER_PROCESSING',
  'OPER_INITIALIZING',
  'OPER_ERROR_DISABLED',
  'OPER_AWAIT_MANUAL_PLACEMENT',
  'OPER_UPGRADING',
  'OPER_SE_PROCESSING',
  'OPER_PARTITIONED',
  'OPER_DISABLING',
  'OPER_FAILED',
  'OPER_UNAVAIL',
  'OPER_AGGREGATE_DOWN',
] as const;

/**
 * `ServiceEngine.enable_state` values.
 *
 * @example
 * ```ts
 * AVI_SE_ENABLE_STATES.includes('SE_STATE_ENABLED'); // true
 * ```
 */
export const AVI_SE_ENABLE_STATES = [
  'SE_STATE_ENABLED',
  'SE_STATE_DISABLED_FOR_PLACEMENT',
  'SE_STATE_DISABLED',
  'SE_STATE_DISABLED_FORCE',
] as const;

/**
 * `VirtualService.type` values.
 *
 * @example
 * ```ts
 * AVI_VIRTUAL_SERVICE_TYPES.includes('VS_TYPE_NORMAL'); // true
 * ```
 */
export const AVI_VIRTUAL_SERVICE_TYPES = ['VS_TYPE_NORMAL', 'VS_TYPE_VH_PARENT', 'VS_TYPE_VH_CHILD'] as const;

/**
 * `HealthMonitor.type` values.
 *
 * @example
 * ```ts
 * AVI_HEALTH_MONITOR_TYPES.includes('HEALTH_MONITOR_PING'); // true
 * ```
 */
export const AVI_HEALTH_MONITOR_TYPES = [
  'HEALTH_MONITOR_PING',
  'HEALTH_MONITOR_TCP',
  'HEALTH_MONITOR_HTTP',
  'HEALTH_MONITOR_HTTPS',
  'HEALTH_MONITOR_EXTERNAL',
  'HEALTH_MONITOR_UDP',
  'HEALTH_MONITOR_DNS',
  'HEALTH_MONITOR_GSLB',
  'HEALTH_MONITOR_SIP',
  'HEALTH_MONITOR_RADIUS',
  'HEALTH_MONITOR_SMTP',
  'HEALTH_MONITOR_SMTPS',
  'HEALTH_MONITOR_POP3',
  'HEALTH_MONITOR_POP3S',
  'HEALTH_MONITOR_IMAP',
  'HEALTH_MONITOR_IMAPS',
  'HEALTH_MONITOR_FTP',
  'HEALTH_MONITOR_FTPS',
  'HEALTH_MONITOR_LDAP',
  'HEALTH_MONITOR_LDAPS',
  'HEALTH_MONITOR_SCTP',
] as const;

/**
 * Service-engine runtime `power_state` values.
 *
 * @example
 * ```ts
 * AVI_SE_POWER_STATES.includes('SE_POWER_OFF'); // true
 * ```
 */
export const AVI_SE_POWER_STATES = ['SE_POWER_OFF', 'SE_POWER_ON', 'SE_SUSPENDED'] as const;

/**
 * Every GET path template of the swagger subset (`/api/pool/{uuid}/runtime/server/detail` …), trailing
 * slashes removed. The agent's generic read tool accepts only paths matching one of these.
 *
 * @example
 * ```ts
 * AVI_GET_PATH_TEMPLATES.includes('/api/pool/{uuid}'); // true
 * ```
 */
export const AVI_GET_PATH_TEMPLATES: readonly string[] = [
  '/api/analytics/metrics/controller',
  '/api/analytics/metrics/controller/{uuid}',
  '/api/analytics/metrics/pool',
  '/api/analytics/metrics/pool/{uuid}',
  '/api/analytics/metrics/serviceengine',
  '/api/analytics/metrics/serviceengine/{uuid}',
  '/api/analytics/metrics/virtualservice',
  '/api/analytics/metrics/virtualservice/{uuid}',
  '/api/healthmonitor',
  '/api/healthmonitor/{uuid}',
  '/api/healthmonitor/{uuid}/federated_info',
  '/api/pool',
  '/api/pool-inventory',
  '/api/pool-inventory/{uuid}',
  '/api/pool/{uuid}',
  '/api/pool/{uuid}/algo',
  '/api/pool/{uuid}/connpool',
  '/api/pool/{uuid}/hmon',
  '/api/pool/{uuid}/httpcache',
  '/api/pool/{uuid}/httpcachestats',
  '/api/pool/{uuid}/httpcachestats/detail',
  '/api/pool/{uuid}/objsync',
  '/api/pool/{uuid}/persistence',
  '/api/pool/{uuid}/runtime',
  '/api/pool/{uuid}/runtime/debug',
  '/api/pool/{uuid}/runtime/detail',
  '/api/pool/{uuid}/runtime/internal',
  '/api/pool/{uuid}/runtime/server',
  '/api/pool/{uuid}/runtime/server/detail',
  '/api/pool/{uuid}/runtime/server/hmonstat',
  '/api/pool/{uuid}/runtime/server/internal',
  '/api/pool/{uuid}/runtime/vs/service/server/map/kv',
  '/api/pool/{uuid}/runtime/vs/service/server/map/table',
  '/api/pool/{uuid}/vs',
  '/api/poolgroup',
  '/api/poolgroup/{uuid}',
  '/api/poolgroup/{uuid}/runtime/detail',
  '/api/serviceengine',
  '/api/serviceengine-inventory',
  '/api/serviceengine-inventory/{uuid}',
  '/api/serviceengine/{uuid}',
  '/api/serviceengine/{uuid}/adaptiveevents',
  '/api/serviceengine/{uuid}/appmap',
  '/api/serviceengine/{uuid}/arpstat',
  '/api/serviceengine/{uuid}/arptable',
  '/api/serviceengine/{uuid}/bfd/running_config',
  '/api/serviceengine/{uuid}/bfd/session_status',
  '/api/serviceengine/{uuid}/bgp',
  '/api/serviceengine/{uuid}/bgp/advertised_routes',
  '/api/serviceengine/{uuid}/bgp/debug',
  '/api/serviceengine/{uuid}/bgp/peer_info',
  '/api/serviceengine/{uuid}/bgp/peer_state',
  '/api/serviceengine/{uuid}/bgp/peer_status',
  '/api/serviceengine/{uuid}/bgp/running_config',
  '/api/serviceengine/{uuid}/botuacacheruntime',
  '/api/serviceengine/{uuid}/botuacachestatsruntime',
  '/api/serviceengine/{uuid}/consistenthash',
  '/api/serviceengine/{uuid}/cpu',
  '/api/serviceengine/{uuid}/cpu/detail',
  '/api/serviceengine/{uuid}/dosstat',
  '/api/serviceengine/{uuid}/dpmetrics',
  '/api/serviceengine/{uuid}/flowtable',
  '/api/serviceengine/{uuid}/flowtable_remote',
  '/api/serviceengine/{uuid}/flowtablestat',
  '/api/serviceengine/{uuid}/graphdb',
  '/api/serviceengine/{uuid}/httpstats',
  '/api/serviceengine/{uuid}/icmp6stat',
  '/api/serviceengine/{uuid}/icmpstat',
  '/api/serviceengine/{uuid}/interface',
  '/api/serviceengine/{uuid}/interface/lacp',
  '/api/serviceengine/{uuid}/interfacesummary',
  '/api/serviceengine/{uuid}/internal',
  '/api/serviceengine/{uuid}/ip6route',
  '/api/serviceengine/{uuid}/ip6stat',
  '/api/serviceengine/{uuid}/ipstat',
  '/api/serviceengine/{uuid}/lldp',
  '/api/serviceengine/{uuid}/mallocstats',
  '/api/serviceengine/{uuid}/mbufstats',
  '/api/serviceengine/{uuid}/memdist',
  '/api/serviceengine/{uuid}/meminfo',
  '/api/serviceengine/{uuid}/metrics',
  '/api/serviceengine/{uuid}/metrics/debug',
  '/api/serviceengine/{uuid}/metrics/debug/summary',
  '/api/serviceengine/{uuid}/metrics/detail',
  '/api/serviceengine/{uuid}/microservice',
  '/api/serviceengine/{uuid}/nat-flows',
  '/api/serviceengine/{uuid}/natpolicystats',
  '/api/serviceengine/{uuid}/natstat',
  '/api/serviceengine/{uuid}/ndtable',
  '/api/serviceengine/{uuid}/network-service',
  '/api/serviceengine/{uuid}/objsync',
  '/api/serviceengine/{uuid}/placement',
  '/api/serviceengine/{uuid}/placement/detail',
  '/api/serviceengine/{uuid}/placement/summary',
  '/api/serviceengine/{uuid}/ratelimiting/msf/internal',
  '/api/serviceengine/{uuid}/ratelimiting/rl/internal',
  '/api/serviceengine/{uuid}/reservedvs',
  '/api/serviceengine/{uuid}/resolverdb',
  '/api/serviceengine/{uuid}/resolverdbsummary',
  '/api/serviceengine/{uuid}/resourcemap',
  '/api/serviceengine/{uuid}/route',
  '/api/serviceengine/{uuid}/route-flows',
  '/api/serviceengine/{uuid}/routestat',
  '/api/serviceengine/{uuid}/rteringstat',
  '/api/serviceengine/{uuid}/runtime',
  '/api/serviceengine/{uuid}/runtime/detail',
  '/api/serviceengine/{uuid}/sctp-flows',
  '/api/serviceengine/{uuid}/sctp-flows/detail',
  '/api/serviceengine/{uuid}/seagent',
  '/api/serviceengine/{uuid}/seassertstats/ag',
  '/api/serviceengine/{uuid}/seassertstats/dp',
  '/api/serviceengine/{uuid}/seauthstats',
  '/api/serviceengine/{uuid}/sehmprobedisable',
  '/api/serviceengine/{uuid}/selogstats',
  '/api/serviceengine/{uuid}/seruminsertionstats',
  '/api/serviceengine/{uuid}/sevshbstats',
  '/api/serviceengine/{uuid}/sevssplacement',
  '/api/serviceengine/{uuid}/shardclientevents',
  '/api/serviceengine/{uuid}/shmallocstats',
  '/api/serviceengine/{uuid}/tcp-flows',
  '/api/serviceengine/{uuid}/tcp-flows/detail',
  '/api/serviceengine/{uuid}/vnicdb',
  '/api/serviceengine/{uuid}/vnicdbhistory',
  '/api/serviceengine/{uuid}/vrf-ip-info',
  '/api/serviceengine/{uuid}/vshash',
  '/api/serviceenginegroup',
  '/api/serviceenginegroup/{uuid}',
  '/api/serviceenginegroup/{uuid}/placement/detail',
  '/api/serviceenginegroup/{uuid}/placement/ineligible',
  '/api/serviceenginegroup/{uuid}/placement/summary',
  '/api/serviceenginegroup/{uuid}/runtime',
  '/api/virtualservice',
  '/api/virtualservice-inventory',
  '/api/virtualservice-inventory/{uuid}',
  '/api/virtualservice/{uuid}',
  '/api/virtualservice/{uuid}/aggrvslogstats',
  '/api/virtualservice/{uuid}/authstats',
  '/api/virtualservice/{uuid}/botstats',
  '/api/virtualservice/{uuid}/candidatesehostlist',
  '/api/virtualservice/{uuid}/client',
  '/api/virtualservice/{uuid}/clientsummary',
  '/api/virtualservice/{uuid}/cltrack',
  '/api/virtualservice/{uuid}/cltracksummary',
  '/api/virtualservice/{uuid}/connections',
  '/api/virtualservice/{uuid}/dnspolicystats',
  '/api/virtualservice/{uuid}/dnstable',
  '/api/virtualservice/{uuid}/dosstat',
  '/api/virtualservice/{uuid}/geodbinternal',
  '/api/virtualservice/{uuid}/geolocationinfo',
  '/api/virtualservice/{uuid}/gslbservicealgostat',
  '/api/virtualservice/{uuid}/gslbservicedetail',
  '/api/virtualservice/{uuid}/gslbservicehmonstat',
  '/api/virtualservice/{uuid}/gslbserviceinternal',
  '/api/virtualservice/{uuid}/gslbsiteinternal',
  '/api/virtualservice/{uuid}/httpconnections',
  '/api/virtualservice/{uuid}/httpconnections/detail',
  '/api/virtualservice/{uuid}/httppolicyset',
  '/api/virtualservice/{uuid}/httppolicysetstats',
  '/api/virtualservice/{uuid}/httpstats',
  '/api/virtualservice/{uuid}/icapstats',
  '/api/virtualservice/{uuid}/keyval',
  '/api/virtualservice/{uuid}/keyvaldispatch',
  '/api/virtualservice/{uuid}/keyvalsession',
  '/api/virtualservice/{uuid}/keyvalsessionsummary',
  '/api/virtualservice/{uuid}/keyvalsummary',
  '/api/virtualservice/{uuid}/keyvalsummaryobjsync',
  '/api/virtualservice/{uuid}/l4policysetstats',
  '/api/virtualservice/{uuid}/networksecuritypolicy/detail',
  '/api/virtualservice/{uuid}/networksecuritypolicystats',
  '/api/virtualservice/{uuid}/outofbandstats',
  '/api/virtualservice/{uuid}/placement',
  '/api/virtualservice/{uuid}/placement/detail',
  '/api/virtualservice/{uuid}/placement/status',
  '/api/virtualservice/{uuid}/placement/summary',
  '/api/virtualservice/{uuid}/runtime',
  '/api/virtualservice/{uuid}/runtime/detail',
  '/api/virtualservice/{uuid}/runtime/internal',
  '/api/virtualservice/{uuid}/scaleoutstatus',
  '/api/virtualservice/{uuid}/scaleoutstatus/detail',
  '/api/virtualservice/{uuid}/sctpstat',
  '/api/virtualservice/{uuid}/sescaleoutstatus',
  '/api/virtualservice/{uuid}/sslsessioncache',
  '/api/virtualservice/{uuid}/ssopolicystats',
  '/api/virtualservice/{uuid}/tcpstat',
  '/api/virtualservice/{uuid}/traffic_clone_stats',
  '/api/virtualservice/{uuid}/udpstat',
  '/api/virtualservice/{uuid}/userdefineddatascriptcounters',
  '/api/virtualservice/{uuid}/vslogstats',
  '/api/vsvip',
  '/api/vsvip/{uuid}',
];

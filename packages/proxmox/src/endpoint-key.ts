/**
 * Most distinct keys `stats.byEndpoint` holds; further endpoints are counted under
 * {@link otherEndpointsKey}. A long-lived client calling `request()` with generated paths can then
 * not grow the map without bound.
 */
export const maxEndpointKeys = 200;

/** The key that collects calls once {@link maxEndpointKeys} distinct endpoints are counted. */
export const otherEndpointsKey = '(other)';

/**
 * The statistics key of a request: method and path with the variable parts replaced by
 * placeholders (`GET /nodes/{node}/tasks/{upid}/status`), so counters grow with the number of
 * endpoint kinds, not with the number of tasks, guests or nodes (one key per task UPID was a slow
 * leak in a long-lived client).
 *
 * @example
 * ```ts
 * endpointKey('GET', '/nodes/pve1/qemu/101/rrddata'); // 'GET /nodes/{node}/qemu/{vmid}/rrddata'
 * ```
 */
export function endpointKey(method: string, path: string): string {
  const segments = path.split('/');
  const normalized = segments.map((segment, index) => {
    const previous = segments[index - 1];
    if (segment.startsWith('UPID:')) return '{upid}';
    if (previous === 'nodes') return '{node}';
    if (previous === 'storage' && segments[index - 3] === 'nodes') return '{storage}';
    if (previous === 'resources' && segments[index - 2] === 'ha') return '{sid}';
    if (/^\d+$/.test(segment)) return '{vmid}';
    return segment.length > 64 ? '{id}' : segment;
  });
  return `${method} ${normalized.join('/')}`;
}

/**
 * Adds one call to `counters[key]`, or to {@link otherEndpointsKey} when the map is full.
 *
 * @example
 * ```ts
 * countEndpoint(stats.byEndpoint, endpointKey('GET', '/version'));
 * ```
 */
export function countEndpoint(counters: Record<string, number>, key: string): void {
  const slot =
    Object.hasOwn(counters, key) || Object.keys(counters).length < maxEndpointKeys ? key : otherEndpointsKey;
  counters[slot] = (counters[slot] ?? 0) + 1;
}

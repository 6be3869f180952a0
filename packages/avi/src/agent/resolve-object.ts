import { z } from 'zod';
import type { AviClient, AviObjectOf, AviObjectType } from '../avi-client';

/**
 * A tool failed in a way the model should hear about (and can correct): an object that does not
 * exist, an action the object's state does not allow, arguments that do not fit.
 */
export class AviToolError extends Error {
  constructor(
    readonly code:
      | 'not_found'
      | 'invalid_arguments'
      | 'not_allowed'
      | 'unknown_tool'
      | 'read_only'
      | 'controller_error',
    message: string,
  ) {
    super(message);
    this.name = 'AviToolError';
  }
}

const labels: Record<AviObjectType, string> = {
  virtualservice: 'virtual service',
  pool: 'pool',
  poolgroup: 'pool group',
  vsvip: 'VS VIP',
  serviceengine: 'service engine',
  serviceenginegroup: 'service engine group',
  healthmonitor: 'health monitor',
  cloud: 'cloud',
  tenant: 'tenant',
};

/**
 * Finds one object by exact name (or uuid). When none matches, the error names up to three
 * similar names, so the model can correct itself instead of inventing another one.
 *
 * @example
 * ```ts
 * const vs = await resolveObject(client, 'virtualservice', 'vs-shop');
 * ```
 */
export async function resolveObject<Type extends AviObjectType>(
  client: AviClient,
  type: Type,
  nameOrUuid: string,
  signal?: AbortSignal,
): Promise<AviObjectOf<Type>> {
  const options = signal === undefined ? {} : { signal };
  const byName = await client.findByName(type, nameOrUuid, options);
  if (byName[0] !== undefined) return byName[0];
  if (nameOrUuid.startsWith(`${type}-`) || (type === 'serviceengine' && nameOrUuid.startsWith('se-'))) {
    const byUuid = await client
      .listAll(`/api/${type}`, z.looseObject({ uuid: z.string(), name: z.string() }), {
        ...options,
        filters: { 'uuid.in': nameOrUuid },
      })
      .catch(() => []);
    if (byUuid[0] !== undefined) return client.getObject(type, byUuid[0].uuid, options);
  }
  const all = await client.listAll(`/api/${type}`, z.looseObject({ name: z.string() }), {
    ...options,
    fields: ['name'],
  });
  const similar = all
    .map((item) => item.name)
    .map((name) => ({ name, distance: distance(name.toLowerCase(), nameOrUuid.toLowerCase()) }))
    .filter((candidate) => candidate.distance <= Math.max(3, Math.floor(nameOrUuid.length / 3)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map((candidate) => candidate.name);
  throw new AviToolError(
    'not_found',
    `No ${labels[type]} named ${JSON.stringify(nameOrUuid.slice(0, 100))}.${
      similar.length ? ` Did you mean: ${similar.join(', ')}?` : ` ${all.length} exist; list them first.`
    }`,
  );
}

/** Levenshtein distance, bounded input (names are short). */
function distance(a: string, b: string): number {
  const left = a.slice(0, 100);
  const right = b.slice(0, 100);
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[right.length]!;
}

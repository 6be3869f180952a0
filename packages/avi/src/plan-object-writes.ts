import type { AviRisk } from '@ballast/core';
import { z } from 'zod';
import type { AviClient, AviObjectType, AviRequestOptions } from './avi-client';
import type { AviWritePlan } from './write-plan';

type Diff = NonNullable<AviWritePlan['diff']>;

/** Objects that refer to an object, found with `refers_to=<type>:<uuid>`: what a change or delete affects. */
const referrers: Partial<Record<AviObjectType, AviObjectType[]>> = {
  pool: ['virtualservice', 'poolgroup'],
  poolgroup: ['virtualservice'],
  vsvip: ['virtualservice'],
  healthmonitor: ['pool'],
  serviceenginegroup: ['virtualservice', 'serviceengine'],
};

const named = z.looseObject({ uuid: z.string(), name: z.string() });

async function blastRadius(
  client: AviClient,
  type: AviObjectType,
  uuid: string,
  options: AviRequestOptions,
): Promise<string[]> {
  const kinds = referrers[type] ?? [];
  const found = await Promise.all(
    kinds.map(async (kind) =>
      (
        await client.listAll(`/api/${kind}`, named, {
          ...options,
          fields: ['name'],
          filters: { refers_to: `${type}:${uuid}` },
        })
      ).map((item) => `${kind} ${item.name}`),
    ),
  );
  return found.flat();
}

function diffObjects(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ''): Diff {
  const diff: Diff = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === '_last_modified' || key === 'url' || key === 'uuid') continue;
    const from = before[key];
    const to = after[key];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (isPlainObject(from) && isPlainObject(to))
      Object.assign(diff, diffObjects(from, to, `${prefix}${key}.`));
    else diff[`${prefix}${key}`] = { from, to };
  }
  return diff;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Plans `POST /api/<type>`: the body as the new object, every field in the diff. Low risk: nothing
 * refers to a new object yet.
 *
 * @example
 * ```ts
 * const plan = planCreate('healthmonitor', { name: 'hm-tcp', type: 'HEALTH_MONITOR_TCP' });
 * ```
 */
export function planCreate(
  type: AviObjectType,
  body: Record<string, unknown>,
  tenant?: string,
): AviWritePlan {
  return {
    method: 'POST',
    path: `/api/${type}`,
    body,
    ...(tenant === undefined ? {} : { tenant }),
    diff: Object.fromEntries(
      Object.entries(body).map(([key, value]) => [key, { from: undefined, to: value }]),
    ),
    risk: 'low',
    summary: `Create ${type} ${String(body.name ?? '')}`.trim(),
  };
}

/**
 * Plans a change of one object: reads it now, applies `changes` to its top-level fields, and
 * returns a `PUT` of the whole object with a field-by-field diff and the objects that refer to it
 * (`refers_to`). The risk is `medium` when anything refers to the object, else `low`.
 *
 * @example
 * ```ts
 * const plan = await planUpdate(client, 'pool', pool.uuid, { lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN' });
 * ```
 */
export async function planUpdate(
  client: AviClient,
  type: AviObjectType,
  uuid: string,
  changes: Record<string, unknown>,
  options: AviRequestOptions = {},
): Promise<AviWritePlan> {
  const current = (await client.getObject(type, uuid, options)) as Record<string, unknown>;
  const updated = { ...current, ...changes };
  const affected = await blastRadius(client, type, uuid, options);
  return {
    method: 'PUT',
    path: `/api/${type}/${uuid}`,
    body: updated,
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    diff: diffObjects(current, updated),
    risk: affected.length > 0 ? 'medium' : 'low',
    summary: `Update ${type} ${String(current.name)}${affected.length ? ` (used by ${affected.join(', ')})` : ''}`,
  };
}

/**
 * Plans a `DELETE` of one object, naming what refers to it. High risk when anything does (the
 * controller refuses or the referrers lose it), medium otherwise.
 *
 * @example
 * ```ts
 * const plan = await planDelete(client, 'pool', pool.uuid);
 * ```
 */
export async function planDelete(
  client: AviClient,
  type: AviObjectType,
  uuid: string,
  options: AviRequestOptions = {},
): Promise<AviWritePlan> {
  const current = (await client.getObject(type, uuid, options)) as Record<string, unknown>;
  const affected = await blastRadius(client, type, uuid, options);
  const risk: AviRisk = affected.length > 0 || type === 'virtualservice' ? 'high' : 'medium';
  return {
    method: 'DELETE',
    path: `/api/${type}/${uuid}`,
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    diff: { [String(current.name)]: { from: 'exists', to: 'deleted' } },
    risk,
    summary: `Delete ${type} ${String(current.name)}${affected.length ? ` (referred to by ${affected.join(', ')})` : ''}`,
  };
}

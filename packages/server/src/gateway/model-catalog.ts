import type { BalancerTarget } from '@ballast/balancer';
import { type ChatModel, ConfigError, type ModelPrice } from '@ballast/core';
import { HttpError } from '../http/http-error';
import type { PassThroughUpstream } from './pass-through-upstream';

/** One upstream model the gateway may route to. */
export interface GatewayTarget {
  /** Default `<provider>:<modelId>`. */
  id?: string;
  model: ChatModel;
  /** Other names clients may use for this model. */
  aliases?: string[];
  /** Traffic weight (balancer `weight`). */
  weight?: number;
  priority?: number;
  maxConcurrent?: number;
  price?: ModelPrice;
  /**
   * The model's OpenAI-compatible endpoint (OpenAI, Groq's `/openai/v1`, vLLM, xAI…): when every
   * target of a requested name has one, `serveNode(gateway.fetch, { nodeHandler: gateway.nodeHandler })`
   * relays `/v1/chat/completions` to it directly instead of through the SDK (see
   * {@link PassThroughUpstream}). `model` still names the provider and model id.
   */
  passThrough?: PassThroughUpstream;
}

/** What a client-facing model name resolves to. */
export interface ResolvedModel {
  /** The balancer tag every eligible target carries; `undefined` for `auto` (any target). */
  tag: string | undefined;
  targets: string[];
}

/** One entry of `GET /v1/models`. */
export interface CatalogModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** Targets serving it (Ballast extension). */
  targets: string[];
}

/** Per-target settings that may change at run time (gRPC `SetTrafficWeight`, `PUT` settings). */
export interface TargetSettings {
  weight?: number;
  priority?: number;
  maxConcurrent?: number;
}

/**
 * The names clients may ask for and the targets behind each: `auto` (every target), aliases
 * (config `aliases` and per-target `aliases`), target ids, `provider/model`, and bare model ids
 * (every provider serving that id). Each name becomes a balancer tag, so one balancer with one
 * set of circuit breakers and metrics serves every name.
 *
 * @throws {ConfigError} on an alias naming nothing, or a duplicate target id.
 */
export function createModelCatalog(
  targets: readonly GatewayTarget[],
  aliases: Readonly<Record<string, readonly string[]>> = {},
  createdAt = Math.floor(Date.now() / 1000),
) {
  const issues: Array<{ path: string; message: string }> = [];
  const names = new Map<string, ResolvedModel>();
  const owners = new Map<string, string>();
  const entries = targets.map((target) => {
    const id = target.id ?? `${target.model.provider}:${target.model.modelId}`;
    return { target, id, tags: new Set<string>() };
  });
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.id)) issues.push({ path: `targets.${entry.id}`, message: 'duplicate target id' });
    seen.add(entry.id);
  }
  const addName = (name: string, tag: string, entry: (typeof entries)[number], owner: string) => {
    entry.tags.add(tag);
    const resolved = names.get(name) ?? { tag, targets: [] };
    if (resolved.tag === tag && !resolved.targets.includes(entry.id)) resolved.targets.push(entry.id);
    names.set(name, resolved);
    if (!owners.has(name)) owners.set(name, owner);
  };
  // Most specific first: a name taken by a broader kind later keeps its first meaning.
  for (const entry of entries) addName(entry.id, `target:${entry.id}`, entry, entry.target.model.provider);
  for (const entry of entries) {
    const { provider, modelId } = entry.target.model;
    addName(`${provider}/${modelId}`, `pm:${provider}/${modelId}`, entry, provider);
  }
  for (const entry of entries)
    for (const alias of entry.target.aliases ?? []) addName(alias, `alias:${alias}`, entry, 'ballast');
  for (const [alias, references] of Object.entries(aliases)) {
    for (const reference of references) {
      const matched = entries.filter(
        (entry) =>
          entry.id === reference ||
          `${entry.target.model.provider}/${entry.target.model.modelId}` === reference ||
          entry.target.model.modelId === reference,
      );
      if (!matched.length)
        issues.push({ path: `aliases.${alias}`, message: `"${reference}" names no configured model` });
      for (const entry of matched) addName(alias, `alias:${alias}`, entry, 'ballast');
    }
  }
  for (const entry of entries) {
    const { provider, modelId } = entry.target.model;
    addName(modelId, `model:${modelId}`, entry, provider);
  }
  if (issues.length)
    throw new ConfigError({
      message: `Invalid gateway models: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      issues,
    });
  const allTargets = entries.map((entry) => entry.id);
  if (!names.has('auto')) names.set('auto', { tag: undefined, targets: allTargets });
  if (!owners.has('auto')) owners.set('auto', 'ballast');

  return {
    /** Target ids in configuration order. */
    targetIds: allTargets,
    /** The target of each id (for provider/model labels). */
    target(id: string): GatewayTarget | undefined {
      return entries.find((entry) => entry.id === id)?.target;
    },
    /** Balancer targets with their tags, with `settings` applied over the configuration. */
    balancerTargets(settings: ReadonlyMap<string, TargetSettings> = new Map()): BalancerTarget[] {
      return entries.map(({ target, id, tags }) => {
        const merged = { ...pick(target), ...settings.get(id) };
        return {
          id,
          model: target.model,
          tags: [...tags],
          ...merged,
          ...(target.price ? { price: target.price } : {}),
        };
      });
    },
    /**
     * Resolves a requested model name.
     *
     * @throws {HttpError} 404 `model_not_found` for a name nothing serves.
     */
    resolve(name: string): ResolvedModel {
      const resolved = names.get(name);
      if (!resolved)
        throw new HttpError(
          404,
          'model_not_found',
          `The model "${name.slice(0, 100)}" does not exist; GET /v1/models lists the available ones`,
        );
      return resolved;
    },
    models(): CatalogModel[] {
      return [...names].map(([id, resolved]) => ({
        id,
        object: 'model' as const,
        created: createdAt,
        owned_by: owners.get(id) ?? 'ballast',
        targets: resolved.targets,
      }));
    },
  };
}

function pick(target: GatewayTarget): TargetSettings {
  return {
    ...(target.weight === undefined ? {} : { weight: target.weight }),
    ...(target.priority === undefined ? {} : { priority: target.priority }),
    ...(target.maxConcurrent === undefined ? {} : { maxConcurrent: target.maxConcurrent }),
  };
}

/** The catalog {@link createModelCatalog} returns. */
export type ModelCatalog = ReturnType<typeof createModelCatalog>;

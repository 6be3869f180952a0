import type { Usage } from './chat-result';
import { ConfigError } from './errors/config-error';

/** Prices of one model in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Price of input tokens served from the provider's prompt cache; defaults to `inputPerMillion`. */
  cachedInputPerMillion?: number;
}

/**
 * Prices by provider and model id. A model id also matches its dated snapshots: `gpt-4o-mini`
 * prices `gpt-4o-mini-2024-07-18`, `claude-sonnet-4` prices `claude-sonnet-4-20250514`.
 *
 * A key may end in `*` to match every id with that prefix (`"*"` alone matches every model of the
 * provider, e.g. a local Ollama at zero cost). Use it only where every future model under the
 * prefix is known to cost the same: the default table does not, because `claude-opus-4*` would
 * have priced Opus 4.5 at three times its real price.
 */
export type PricingTable = Record<string, Record<string, ModelPrice>>;

/**
 * List prices (USD per million tokens) of common models, as published by each provider in 2025-2026.
 * Hosts override or extend it with {@link createPricingTable}; a model not in the table has an
 * unknown (`undefined`) cost rather than a guessed one.
 */
export const defaultPricing: PricingTable = {
  openai: {
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
    'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
    'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025 },
    'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 },
    'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
    'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 },
  },
  anthropic: {
    'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4, cachedInputPerMillion: 0.08 },
    'claude-3-7-sonnet': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
    'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1 },
    'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
    'claude-sonnet-4-0': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
    'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
    'claude-sonnet-4-6': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
    'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5 },
    'claude-opus-4-0': { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5 },
    'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5 },
    'claude-opus-4-5': { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5 },
    'claude-opus-4-6': { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5 },
  },
  groq: {
    'llama-3.1-8b-instant': { inputPerMillion: 0.05, outputPerMillion: 0.08 },
    'llama-3.3-70b-versatile': { inputPerMillion: 0.59, outputPerMillion: 0.79 },
    'openai/gpt-oss-20b': { inputPerMillion: 0.1, outputPerMillion: 0.5 },
    'openai/gpt-oss-120b': { inputPerMillion: 0.15, outputPerMillion: 0.75 },
  },
  ollama: {
    '*': { inputPerMillion: 0, outputPerMillion: 0 },
  },
};

/**
 * Merges host prices over the defaults (or over `base`). Later entries win per model.
 *
 * @example
 * ```ts
 * const pricing = createPricingTable({ openai: { 'my-finetune': { inputPerMillion: 3, outputPerMillion: 12 } } });
 * ```
 */
export function createPricingTable(
  overrides: PricingTable,
  base: PricingTable = defaultPricing,
): PricingTable {
  const merged: PricingTable = {};
  const issues: Array<{ path: string; message: string }> = [];
  for (const table of [base, overrides]) {
    if (typeof table !== 'object' || table === null) {
      throw new ConfigError({
        message: 'Invalid pricing table: not an object',
        issues: [{ path: '(root)', message: 'not an object' }],
      });
    }
    for (const [provider, models] of Object.entries(table)) {
      if (typeof models !== 'object' || models === null) {
        issues.push({ path: provider, message: 'must be an object of model prices' });
        continue;
      }
      for (const [modelId, price] of Object.entries(models))
        checkPrice(price, `${provider}.${modelId}`, issues);
      const earlier = Object.hasOwn(merged, provider) ? merged[provider] : undefined;
      // defineProperty, not assignment: a provider named `__proto__` is a provider, not a prototype.
      Object.defineProperty(merged, provider, {
        value: { ...earlier, ...models },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  if (issues.length > 0) {
    throw new ConfigError({
      message: `Invalid pricing table: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      issues,
    });
  }
  return merged;
}

const priceFields = ['inputPerMillion', 'outputPerMillion', 'cachedInputPerMillion'] as const;

function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A price must hold finite, non-negative dollars: a NaN or negative one makes every cost wrong. */
function checkPrice(price: unknown, path: string, issues: Array<{ path: string; message: string }>): void {
  if (typeof price !== 'object' || price === null) {
    issues.push({ path, message: 'must be { inputPerMillion, outputPerMillion }' });
    return;
  }
  for (const field of priceFields) {
    const value = (price as Record<string, unknown>)[field];
    if (field === 'cachedInputPerMillion' && value === undefined) continue;
    if (!isAmount(value))
      issues.push({ path: `${path}.${field}`, message: 'must be a finite, non-negative number' });
  }
}

/** Options of {@link findModelPrice}. */
export interface FindModelPriceOptions {
  /**
   * Called once per provider and model id that has no price (default `console.warn`), so an
   * unpriced model is noticed instead of silently reporting no cost. Pass `() => {}` to silence.
   */
  onWarning?: ((message: string) => void) | undefined;
}

/** A model id's dated-snapshot suffix: `-2024-07-18` (OpenAI) or `-20250514` (Anthropic). */
const datedSnapshot = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;

/** Ids already warned about; bounded so a caller looping over generated ids cannot grow it forever. */
const warnedModels = new Set<string>();
const maxWarnedModels = 1_000;

/**
 * Finds the price of a model: the exact id, then the id without a dated-snapshot suffix, then
 * the longest matching `prefix*` entry. Returns `undefined` (and warns once per model id) when
 * none matches: an unknown future model has an unknown cost, not the price of an older one.
 *
 * @example
 * ```ts
 * findModelPrice(defaultPricing, 'openai', 'gpt-4o-mini-2024-07-18'); // the 'gpt-4o-mini' price
 * findModelPrice(defaultPricing, 'anthropic', 'claude-opus-9'); // undefined, with one warning
 * ```
 */
export function findModelPrice(
  table: PricingTable,
  provider: string,
  modelId: string,
  options: FindModelPriceOptions = {},
): ModelPrice | undefined {
  const price = lookUp(table, provider, modelId);
  if (price === undefined) warnOnce(provider, modelId, options.onWarning);
  return price;
}

function lookUp(table: PricingTable, provider: string, modelId: string): ModelPrice | undefined {
  const models = Object.hasOwn(table, provider) ? table[provider] : undefined;
  if (!models) return undefined;
  if (Object.hasOwn(models, modelId)) return models[modelId];
  const dated = datedSnapshot.exec(modelId);
  if (dated !== null) {
    const base = modelId.slice(0, dated.index);
    if (Object.hasOwn(models, base)) return models[base];
  }
  let best: { length: number; price: ModelPrice } | undefined;
  for (const [key, price] of Object.entries(models)) {
    if (!key.endsWith('*')) continue;
    const prefix = key.slice(0, -1);
    if (modelId.startsWith(prefix) && (!best || prefix.length > best.length))
      best = { length: prefix.length, price };
  }
  return best?.price;
}

function warnOnce(provider: string, modelId: string, onWarning: ((message: string) => void) | undefined) {
  const key = `${provider}:${modelId}`;
  if (warnedModels.has(key)) return;
  if (warnedModels.size >= maxWarnedModels) warnedModels.clear();
  warnedModels.add(key);
  const message = `Ballast has no price for ${key}: its cost is reported as unknown. Add it with createPricingTable({ ${JSON.stringify(provider)}: { ${JSON.stringify(modelId)}: { inputPerMillion, outputPerMillion } } }).`;
  (onWarning ?? console.warn)(message);
}

/**
 * Cost of a call in USD from its usage. Cached input tokens are billed at the cached rate.
 * Returns `undefined` when the price or the token counts are unknown.
 *
 * @example
 * ```ts
 * computeCostUsd({ inputPerMillion: 1, outputPerMillion: 2 }, usage); // e.g. 0.0003
 * ```
 */
export function computeCostUsd(price: ModelPrice | undefined, usage: Usage): number | undefined {
  if (!price || !isAmount(usage.inputTokens) || !isAmount(usage.outputTokens)) return undefined;
  // A NaN, infinite or negative count (or price) is unknown, never a NaN or negative cost.
  const cachedTokens = usage.cachedInputTokens ?? 0;
  if (!isAmount(cachedTokens) || !validPrice(price)) return undefined;
  const cached = Math.min(cachedTokens, usage.inputTokens);
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  const dollars =
    (usage.inputTokens - cached) * price.inputPerMillion +
    cached * cachedRate +
    usage.outputTokens * price.outputPerMillion;
  return dollars / 1_000_000;
}

/**
 * Expected cost of a request before it is sent, from estimated token counts. Routers use it to
 * compare targets and to honour a caller's `maxCostUsd`.
 */
export function estimateCostUsd(
  price: ModelPrice | undefined,
  estimate: { inputTokens: number; outputTokens: number },
): number | undefined {
  if (!price || !validPrice(price) || !isAmount(estimate.inputTokens) || !isAmount(estimate.outputTokens))
    return undefined;
  return (
    (estimate.inputTokens * price.inputPerMillion + estimate.outputTokens * price.outputPerMillion) /
    1_000_000
  );
}

function validPrice(price: ModelPrice): boolean {
  return (
    isAmount(price.inputPerMillion) &&
    isAmount(price.outputPerMillion) &&
    (price.cachedInputPerMillion === undefined || isAmount(price.cachedInputPerMillion))
  );
}

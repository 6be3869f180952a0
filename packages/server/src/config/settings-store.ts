import {
  type BallastConfig,
  type BallastConfigKey,
  ballastConfigKeys,
  ballastConfigSchema,
  ballastSecretKeys,
  redactConfig,
} from '@ballast/advisor';
import { ConfigError } from '@ballast/core';

const secretKeys = new Set<string>(ballastSecretKeys);
const masked = '[redacted]';

/**
 * The settings a UI toggles (ProxBalance's flat keys: `ai_enabled`, `ai_provider`, `ai_model`,
 * `ai_analysis_period`, `cpu_threshold`, …), validated with `@ballast/advisor`'s schema. Secrets
 * (`ai_api_key`, `proxmox_api_token_secret`) are write-only: reads mask them, and writing the
 * mask back (or leaving a secret out) keeps the stored value.
 *
 * @example
 * ```ts
 * const settings = createSettingsStore({ cpu_threshold: 70 });
 * settings.update({ ai_enabled: true, ai_provider: 'ollama', ai_model: 'llama3.2' });
 * settings.read().ai_api_key; // '[redacted]' when set
 * ```
 */
export function createSettingsStore(
  initial: Partial<Record<BallastConfigKey, unknown>> = {},
  options: { onChange?: (config: BallastConfig) => void } = {},
) {
  const parse = (value: Record<string, unknown>): BallastConfig => {
    const parsed = ballastConfigSchema.safeParse(value);
    if (!parsed.success) throw ConfigError.fromZod('settings', parsed.error);
    return parsed.data;
  };
  let current = parse(initial);
  return {
    /** The settings with secrets masked. */
    read: (): BallastConfig => redactConfig(current),
    /** The settings with secrets (for the server's own use; never send it out). */
    unsafeRead: (): BallastConfig => current,
    /** Whether each secret is set (a UI shows "configured" without the value). */
    secretsSet: (): Record<string, boolean> =>
      Object.fromEntries(ballastSecretKeys.map((key) => [key, current[key] !== undefined])),
    /**
     * Applies a partial update: unknown keys and invalid values are refused with every issue;
     * `null` clears an optional key; a masked or missing secret keeps its value.
     *
     * @throws {ConfigError}
     */
    update(patch: Record<string, unknown>): BallastConfig {
      const unknown = Object.keys(patch).filter((key) => !(ballastConfigKeys as string[]).includes(key));
      if (unknown.length)
        throw new ConfigError({
          message: `Unknown settings: ${unknown.join(', ')}`,
          issues: unknown.map((key) => ({ path: key, message: 'unknown setting' })),
        });
      const next: Record<string, unknown> = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (secretKeys.has(key) && value === masked) continue;
        if (value === null) delete next[key];
        else next[key] = value;
      }
      current = parse(next);
      options.onChange?.(current);
      return redactConfig(current);
    },
  };
}

/** The store {@link createSettingsStore} returns. */
export type SettingsStore = ReturnType<typeof createSettingsStore>;

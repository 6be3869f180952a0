import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `info`, or `debug` when `DEBUG` names `ballast:*` (as the Next.js seed's balancer). */
  level?: LevelWithSilent;
  /** Where JSON lines go (default stdout). Anything with `write(line)`. */
  destination?: DestinationStream;
  /** Secret values to scrub from any string that would be logged (keys from the environment). */
  knownSecrets?: ReadonlyArray<string | undefined>;
  env?: Record<string, string | undefined>;
}

/** Field paths pino replaces with `[redacted]` wherever they appear. */
export const redactedLogPaths = [
  'authorization',
  'apiKey',
  'api_key',
  'ai_api_key',
  'proxmox_api_token_secret',
  'password',
  'secret',
  'token',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.ai_api_key',
  '*.proxmox_api_token_secret',
  '*.password',
  '*.secret',
  '*.token',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
];

/**
 * Whether `DEBUG` turns on Ballast's verbose logs: `ballast:*`, `ballast:server`, `*`…
 *
 * @example
 * ```ts
 * isDebugEnabled({ DEBUG: 'ballast:*' }); // true
 * ```
 */
export function isDebugEnabled(
  env: Record<string, string | undefined>,
  namespace = 'ballast:server',
): boolean {
  const patterns = (env.DEBUG ?? '').split(/[\s,]+/).filter(Boolean);
  let enabled = false;
  for (const pattern of patterns) {
    const negate = pattern.startsWith('-');
    const body = negate ? pattern.slice(1) : pattern;
    const regex = new RegExp(`^${body.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (regex.test(namespace)) enabled = !negate;
  }
  return enabled;
}

/**
 * A structured JSON logger (pino) with levels and secret redaction by field name and by value.
 *
 * @example
 * ```ts
 * const logger = createLogger({ knownSecrets: [process.env.OPENAI_API_KEY] });
 * logger.info({ requestId, route: 'chat' }, 'request done');
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const level =
    options.level ??
    (isDebugEnabled(env) ? 'debug' : ((env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info'));
  const secrets = (options.knownSecrets ?? []).filter(
    (value): value is string => !!value && value.length >= 6,
  );
  const scrub = (line: string) => {
    let out = line;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const target = options.destination ?? pino.destination({ dest: 1, sync: false });
  const destination: DestinationStream =
    secrets.length === 0 ? target : { write: (line: string) => target.write(scrub(line)) };
  return pino(
    {
      level,
      base: { service: 'ballast' },
      redact: { paths: redactedLogPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

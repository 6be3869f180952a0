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

/**
 * Field paths pino's own `redact` option would take. Ballast redacts by field NAME instead (see
 * {@link redactLogFields}): every field named like the last segment of one of these paths is
 * replaced at any depth, a superset of the paths, at a fraction of pino's wildcard cost.
 */
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

const secretFieldNames = new Set([
  ...redactedLogPaths.map((path) =>
    (/\["([^"]+)"\]$/.exec(path)?.[1] ?? path.split('.').pop()!).toLowerCase(),
  ),
  'x-api-key',
]);
const censor = '[redacted]';
/**
 * The same names as top-level pino `redact` paths: pino applies those to child bindings too (its
 * `log` formatter never sees them), and top-level paths cost next to nothing, unlike wildcards.
 */
const topLevelOriginalCase = redactedLogPaths.filter((path) => /^[A-Za-z_$][\w$]*$/.test(path));
const topLevelRedactPaths = [...secretFieldNames].map((name) =>
  /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`,
);
const maxRedactDepth = 6;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * A log object with every field named like a secret (`authorization`, `apiKey`, `password`,
 * `token`, `x-api-key`…, any case, any depth in plain objects and arrays) replaced by
 * `[redacted]`. Copy-on-write: the caller's object is never changed, and an object without such
 * a field is returned as it is. About 1 µs for a flat request line, where pino's wildcard `redact`
 * paths cost tens of microseconds on every line.
 *
 * @example
 * ```ts
 * redactLogFields({ headers: { authorization: 'Bearer sk-…' } }); // { headers: { authorization: '[redacted]' } }
 * ```
 */
export function redactLogFields<T>(value: T, depth = 0): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const next = depth < maxRedactDepth ? redactLogFields(item, depth + 1) : item;
      if (next !== item) {
        copy ??= [...value];
        copy[index] = next;
      }
    }
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = value[key];
    let next = field;
    if (secretFieldNames.has(key.toLowerCase())) next = field === undefined ? field : censor;
    else if (depth < maxRedactDepth && field !== null && typeof field === 'object')
      next = redactLogFields(field, depth + 1);
    if (next !== field) {
      copy ??= { ...value };
      copy[key] = next;
    }
  }
  return (copy ?? value) as T;
}

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
 * A structured JSON logger (pino) with levels and secret redaction by field name
 * ({@link redactLogFields}) and by value (`knownSecrets`, scrubbed from every line).
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
      // Nested fields by name in the `log` formatter; top-level fields (child bindings included) by pino.
      redact: { paths: [...new Set([...topLevelRedactPaths, ...topLevelOriginalCase])], censor },
      timestamp: isoTimestamp(),
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactLogFields(object),
      },
    },
    destination,
  );
}

/**
 * pino's `isoTime` (`,"time":"2026-12-03T21:50:00.123Z"`, the same text), with the date and time
 * up to the second formatted once a second instead of a `Date` and `toISOString()` per line.
 */
export function isoTimestamp(now: () => number = Date.now): () => string {
  let second = Number.NaN;
  let prefix = '';
  return () => {
    const at = now();
    const whole = Math.floor(at / 1000);
    if (whole !== second) {
      second = whole;
      prefix = new Date(whole * 1000).toISOString().slice(0, 20);
    }
    const ms = Math.floor(at - whole * 1000);
    return `,"time":"${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
  };
}

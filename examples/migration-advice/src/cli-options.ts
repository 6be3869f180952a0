import { parseArgs } from 'node:util';

/** What the demo was asked to do, from flags and environment. */
export interface DemoOptions {
  /** A real cluster's API root (`https://pve1:8006`); absent → the built-in simulated cluster. */
  url: string | undefined;
  tokenId: string | undefined;
  /** From PROXMOX_TOKEN_SECRET (never a flag: flags end up in shell history). */
  tokenSecret: string | undefined;
  fingerprint: string | undefined;
  insecure: boolean;
  period: '1h' | '6h' | '24h' | '7d';
  apply: boolean;
  yes: boolean;
  seed: number;
  nodes: number;
  guests: number;
  parallel: number;
  cpuThreshold: number | undefined;
  memThreshold: number | undefined;
  /** Most balancing migrations in the plan (evacuations are not capped). */
  maxMigrations: number | undefined;
  /**
   * The simulated cluster's clock: a fixed instant by default, so a seed prints the same plan on
   * every run; `live` follows the wall clock.
   */
  clock: 'fixed' | 'live';
  /** A ProxBalance-style JSON config file (flat keys: proxmox_host, ai_provider, ...). */
  config: string | undefined;
  /** Print the ProxBalance-compatible `POST /api/ai-recommendations` response as JSON instead. */
  json: boolean;
  /** Skip the per-guest RRD reads (one per running guest) that workload profiles need. */
  skipGuestTrends: boolean;
  help: boolean;
}

export const usage = `Usage: pnpm demo [options]   (pnpm -s demo --json for clean JSON output)

  --apply               apply the plan (simulated cluster: always fine; real cluster: also needs --yes)
  --period 1h|6h|24h|7d load history to analyse (default 24h)
  --seed N              simulated cluster seed (default 7)
  --nodes N             simulated cluster size, 3-12 (default 6)
  --guests N            simulated guests (default 50)
  --parallel N          migrations at a time when applying (default 2)
  --cpu-threshold P     CPU headroom threshold in percent (default 60, as ProxBalance)
  --mem-threshold P     memory headroom threshold in percent (default 70, as ProxBalance)
  --max-migrations N    most balancing migrations in the plan (default 20; evacuations are extra)
  --live-clock          simulated cluster on the wall clock (default: a fixed clock, so a seed
                        always prints the same plan)
  --skip-guest-trends   read node RRD only (1 + nodes calls); no per-guest workload profiles
  --json                print the ProxBalance-compatible /api/ai-recommendations response instead
  --config FILE         a ProxBalance-style config (proxmox_host, proxmox_api_token_id, ai_provider,
                        ai_model, ...); BALLAST_<KEY> environment variables override it

Real cluster (read-only unless --apply --yes):
  --url https://pve1:8006 --token-id 'user@pve!ballast'   secret in PROXMOX_TOKEN_SECRET
  --fingerprint AA:BB:..  pin the server certificate (sha256); --insecure skips TLS verification

LLM analysis (optional): set a provider key and its model id, e.g.
  OPENAI_API_KEY + OPENAI_MODEL, ANTHROPIC_API_KEY + ANTHROPIC_MODEL, GROQ_API_KEY + GROQ_MODEL,
  OLLAMA_HOST + OLLAMA_MODEL (OPENAI_BASE_URL for an OpenAI-compatible server). Every configured
  provider goes behind one balancer; there are no built-in model ids.
  See docs/getting-started.md#llm-settings.`;

/** Parses flags; throws an Error with a readable message on bad input. */
export function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv): DemoOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      url: { type: 'string' },
      'token-id': { type: 'string' },
      fingerprint: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      period: { type: 'string', default: '24h' },
      apply: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      seed: { type: 'string', default: '7' },
      nodes: { type: 'string', default: '6' },
      guests: { type: 'string', default: '50' },
      parallel: { type: 'string', default: '2' },
      'cpu-threshold': { type: 'string' },
      'mem-threshold': { type: 'string' },
      'max-migrations': { type: 'string' },
      'live-clock': { type: 'boolean', default: false },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'skip-guest-trends': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const period = values.period;
  if (period !== '1h' && period !== '6h' && period !== '24h' && period !== '7d') {
    throw new Error(`--period must be 1h, 6h, 24h or 7d, got "${period}"`);
  }
  const url = values.url ?? env.PROXMOX_URL;
  const tokenId = values['token-id'] ?? env.PROXMOX_TOKEN_ID;
  const tokenSecret = env.PROXMOX_TOKEN_SECRET;
  if (url && !values.config && (!tokenId || !tokenSecret)) {
    throw new Error('A real cluster needs --token-id (or PROXMOX_TOKEN_ID) and PROXMOX_TOKEN_SECRET');
  }
  return {
    url,
    tokenId,
    tokenSecret,
    fingerprint: values.fingerprint,
    insecure: values.insecure,
    period,
    apply: values.apply,
    yes: values.yes,
    seed: integer('--seed', values.seed, 0, 2 ** 31),
    nodes: integer('--nodes', values.nodes, 3, 12),
    guests: integer('--guests', values.guests, 10, 400),
    parallel: integer('--parallel', values.parallel, 1, 8),
    cpuThreshold: optionalPercent('--cpu-threshold', values['cpu-threshold']),
    memThreshold: optionalPercent('--mem-threshold', values['mem-threshold']),
    maxMigrations:
      values['max-migrations'] === undefined
        ? undefined
        : integer('--max-migrations', values['max-migrations'], 0, 1000),
    clock: values['live-clock'] ? 'live' : 'fixed',
    config: values.config,
    json: values.json,
    skipGuestTrends: values['skip-guest-trends'],
    help: values.help,
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function optionalPercent(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 100)
    throw new Error(`${flag} must be a percentage in (0, 100]`);
  return value;
}

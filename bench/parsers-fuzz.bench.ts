/**
 * Fuzzing of every parser that reads model or upstream text, at sizes CI does not try (issue 10):
 * `extractJson`, tool-argument parsing, Kubernetes quantities and durations, Proxmox wire schemas,
 * RRD rows and UPIDs, `Retry-After`, and API error-body classification.
 *
 * For each parser: a long fast-check run of random and structured inputs, then adversarial
 * inputs built to trigger backtracking or rescans (bracket floods, digit runs) up to the parser's
 * input limit and just past it. Every call is timed (`performance.now()`); the table shows the
 * number of inputs, the largest one tried and the worst time of a single call. The properties
 * (typed result or typed error, never a hang) are asserted on every input: a violation aborts
 * the bench. The bounded CI versions are the `parsers.fuzz.test.ts` files of each package.
 */
import {
  apiCallErrorFromResponse,
  BallastError,
  DEFAULT_MAX_MODEL_TEXT_LENGTH,
  DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH,
  parseRetryAfterMs,
  parseToolArguments,
  safeExtractJson,
} from '@ballast/core';
import fc from 'fast-check';
import { MAX_QUANTITY_LENGTH, parseDurationSeconds, parseQuantity } from '../packages/kubernetes/src/index';
import {
  clusterResourceSchema,
  parseUpid,
  rrdRowSchema,
  rrdSeries,
  taskStatusSchema,
  trimRows,
} from '../packages/proxmox/src/index';
import type { BenchReport } from './run';

/** How many random inputs each parser gets (CI runs 300–500). */
const randomRuns = 5_000;
const batchSize = 100;

interface Target {
  name: string;
  random: fc.Arbitrary<unknown>;
  adversarial: Array<{ label: string; input: unknown }>;
  /** Runs the parser and throws if the property is violated. */
  check(input: unknown): void;
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`property violated: ${message}`);
}

function typedOrValue(run: () => unknown, what: string): void {
  try {
    run();
  } catch (error) {
    expect(BallastError.isInstance(error), `${what} threw an untyped ${String(error)}`);
  }
}

const sizeOf = (input: unknown): number =>
  typeof input === 'string' ? input.length : (JSON.stringify(input ?? null)?.length ?? 0);

const jsonish = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  ',',
  ':',
  ' ',
  '\n',
  '`',
  '\u201c',
  '\u201d',
  'a',
  '1',
);
const modelText = fc.oneof(
  fc.string({ maxLength: 2_000, size: 'max' }),
  fc.array(jsonish, { maxLength: 20_000, size: 'max' }).map((chars) => chars.join('')),
  fc
    .tuple(
      fc.string({ maxLength: 200, size: 'max' }),
      fc.json({ maxDepth: 6 }),
      fc.string({ maxLength: 200, size: 'max' }),
    )
    .map(([a, json, b]) => `${a}${json}${b}`),
  fc
    .tuple(fc.constantFrom('[', '{', '["', '{"a":', '```json\n', '[{]'), fc.integer({ min: 1, max: 50_000 }))
    .map(([unit, count]) => unit.repeat(count)),
);

const atLimit = (unit: string, limit: number) => unit.repeat(Math.floor(limit / unit.length));

const targets: Target[] = [
  {
    name: 'extractJson',
    random: modelText,
    adversarial: [
      { label: '[ × limit', input: atLimit('[', DEFAULT_MAX_MODEL_TEXT_LENGTH) },
      { label: '{" × limit', input: atLimit('{"', DEFAULT_MAX_MODEL_TEXT_LENGTH) },
      { label: '[{] × limit', input: atLimit('[{]', DEFAULT_MAX_MODEL_TEXT_LENGTH) },
      {
        label: '["a", × limit then JSON',
        input: `${atLimit('["a",', DEFAULT_MAX_MODEL_TEXT_LENGTH - 20)} {"ok":true}`,
      },
      { label: '``` × limit', input: atLimit('```', DEFAULT_MAX_MODEL_TEXT_LENGTH) },
      { label: 'limit + 1', input: '['.repeat(DEFAULT_MAX_MODEL_TEXT_LENGTH + 1) },
    ],
    check(input) {
      const result = safeExtractJson(input as string);
      if (!result.ok) {
        expect(
          ['no_json', 'input_too_large'].includes(result.error.issues[0]?.code ?? ''),
          'unexpected issue code',
        );
      }
    },
  },
  {
    name: 'parseToolArguments',
    random: fc.oneof(modelText, fc.anything({ maxDepth: 4 })),
    adversarial: [
      { label: 'nested [ × limit', input: `${'['.repeat(5_000)}${']'.repeat(5_000)}` },
      { label: 'string at limit', input: `{"a":"${'x'.repeat(DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH - 8)}"}` },
      { label: 'limit + 1', input: `{"a":"${'x'.repeat(DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH)}"}` },
    ],
    check(input) {
      const parsed = parseToolArguments(input);
      expect(
        typeof parsed.arguments === 'object' && !Array.isArray(parsed.arguments),
        'arguments not an object',
      );
    },
  },
  {
    name: 'parseQuantity',
    random: fc.oneof(
      fc.string({ maxLength: 200, size: 'max' }),
      fc
        .array(fc.constantFrom('0', '1', '9', '.', '+', '-', 'e', 'E', 'K', 'i', 'M', 'm', 'n', 'u', 'k'), {
          maxLength: 200,
          size: 'max',
        })
        .map((chars) => chars.join('')),
    ),
    adversarial: [
      { label: '128 000 digits + x (was 60 s)', input: `${'1'.repeat(128_000)}x` },
      { label: '1 000 000 digits + x', input: `${'1'.repeat(1_000_000)}x` },
      { label: 'digits at the cap + x', input: `${'1'.repeat(MAX_QUANTITY_LENGTH - 1)}x` },
      { label: 'digits.digits at the cap + e+', input: `${'1'.repeat(31)}.${'2'.repeat(30)}e+` },
    ],
    check(input) {
      typedOrValue(() => parseQuantity(input as string), 'parseQuantity');
    },
  },
  {
    name: 'parseDurationSeconds',
    random: fc.oneof(
      fc.string({ maxLength: 200, size: 'max' }),
      fc
        .array(fc.constantFrom('1', '5', '.', 'm', 's', 'h', 'n', 'u', 'µ'), { maxLength: 200, size: 'max' })
        .map((chars) => chars.join('')),
    ),
    adversarial: [
      { label: '1s × 500 000', input: '1s'.repeat(500_000) },
      { label: '1 000 000 digits + s', input: `${'1'.repeat(1_000_000)}s` },
    ],
    check(input) {
      typedOrValue(() => parseDurationSeconds(input as string), 'parseDurationSeconds');
    },
  },
  {
    name: 'Proxmox wire schemas + RRD series',
    random: fc.array(
      fc.dictionary(
        fc.constantFrom(
          'id',
          'type',
          'node',
          'vmid',
          'cpu',
          'maxcpu',
          'mem',
          'maxmem',
          'status',
          'time',
          'disk',
          'maxdisk',
        ),
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.string({ maxLength: 40, size: 'max' }),
          fc.constantFrom('1', '', 'NaN', '1e999', null),
        ),
        { maxKeys: 12 },
      ),
      { maxLength: 500, size: 'max' },
    ),
    adversarial: [
      {
        label: '100 000 RRD rows',
        input: Array.from({ length: 100_000 }, (_, index) => ({
          time: index * 60,
          cpu: String((index % 100) / 100),
          maxcpu: 8,
        })),
      },
      {
        label: 'row with a 1 MB string',
        input: [{ id: 'x'.repeat(1_000_000), type: 'node', time: '1'.repeat(100_000) }],
      },
    ],
    check(input) {
      const rows = input as unknown[];
      const parsed = [];
      for (const row of rows) {
        clusterResourceSchema.safeParse(row);
        taskStatusSchema.safeParse(row);
        const rrd = rrdRowSchema.safeParse(row);
        if (rrd.success) parsed.push(rrd.data);
      }
      const series = rrdSeries(trimRows(parsed, 86_400), (row) => row.cpu);
      expect(series.values.every(Number.isFinite), 'non-finite RRD value');
    },
  },
  {
    name: 'parseUpid',
    random: fc.oneof(
      fc.string({ maxLength: 300, size: 'max' }),
      fc
        .array(fc.constantFrom('UPID', ':', 'pve1', '0000B001', 'qmigrate', '101', 'root@pam'), {
          maxLength: 100,
          size: 'max',
        })
        .map((parts) => parts.join('')),
    ),
    adversarial: [
      { label: 'UPID: + 1 MB without colons', input: `UPID:${'a'.repeat(1_000_000)}` },
      { label: 'UPID:a: × 200 000', input: `UPID:${'a:'.repeat(200_000)}` },
    ],
    check(input) {
      parseUpid(input as string);
    },
  },
  {
    name: 'parseRetryAfterMs',
    random: fc.tuple(
      fc.string({ maxLength: 100, size: 'max' }),
      fc.oneof(fc.double().map(String), fc.string({ maxLength: 100, size: 'max' })),
    ),
    adversarial: [
      { label: '1 MB header', input: ['9'.repeat(1_000_000), '9'.repeat(1_000_000)] },
      { label: '1e306 seconds', input: ['1e306', ''] },
    ],
    check(input) {
      const [retryAfter, retryAfterMs] = input as [string, string];
      const delay = parseRetryAfterMs({ 'retry-after': retryAfter, 'retry-after-ms': retryAfterMs }, 0);
      expect(delay === undefined || (Number.isFinite(delay) && delay >= 0), `delay ${delay}`);
    },
  },
  {
    name: 'apiCallErrorFromResponse',
    random: fc.tuple(
      fc.oneof(modelText, fc.json(), fc.anything({ maxDepth: 4 })),
      fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
    ),
    adversarial: [
      { label: '10 MB string body', input: [`{"error":{"message":"${'x'.repeat(10_000_000)}"}}`, 500] },
      { label: 'deep JSON body', input: [`${'{"error":'.repeat(5_000)}1${'}'.repeat(5_000)}`, 400] },
      { label: 'key echoed at the cut', input: [`${'y'.repeat(1_990)}sk-proj-${'Z'.repeat(40)}`, 401] },
    ],
    check(input) {
      const [body, statusCode] = input as [unknown, number | undefined];
      const error = apiCallErrorFromResponse({ provider: 'bench', statusCode, body });
      expect(error.message.length <= 1_000 && (error.responseBody ?? '').length <= 2_000, 'unbounded error');
      expect(!(error.responseBody ?? '').includes('ZZZZ'), 'key fragment in responseBody');
    },
  },
];

function time(check: () => void): number {
  const started = performance.now();
  check();
  return performance.now() - started;
}

export default async function run(): Promise<BenchReport> {
  const rows: BenchReport['rows'] = [];
  for (const target of targets) {
    console.error(`fuzzing ${target.name}…`);
    let worstRandom = 0;
    let largestRandom = 0;
    // In batches: fc.sample materialises its inputs, and thousands of large ones exhaust the heap.
    for (let batch = 0; batch < randomRuns / batchSize; batch++) {
      for (const input of fc.sample(target.random, { numRuns: batchSize, seed: 10 + batch })) {
        worstRandom = Math.max(
          worstRandom,
          time(() => target.check(input)),
        );
        largestRandom = Math.max(largestRandom, sizeOf(input));
      }
    }
    let worstAdversarial = 0;
    let worstLabel = '';
    let largestAdversarial = 0;
    for (const { label, input } of target.adversarial) {
      const elapsed = time(() => target.check(input));
      largestAdversarial = Math.max(largestAdversarial, sizeOf(input));
      if (elapsed > worstAdversarial) {
        worstAdversarial = elapsed;
        worstLabel = label;
      }
    }
    rows.push({
      parser: target.name,
      randomInputs: randomRuns,
      largestRandomChars: largestRandom,
      worstRandomMs: Number(worstRandom.toFixed(2)),
      largestAdversarialChars: largestAdversarial,
      worstAdversarialMs: Number(worstAdversarial.toFixed(1)),
      worstAdversarialInput: worstLabel,
    });
  }
  return {
    name: 'Parsers of model / upstream text under fuzzing',
    rows,
    notes: [
      'Every input satisfied its property (a typed result or a typed error); a violation aborts the bench.',
      'Before issue 10: extractJson on 20 KB of "[" took 4.1 s, 40 KB about 19 s; a 128 000-digit quantity took 60 s.',
    ],
  };
}

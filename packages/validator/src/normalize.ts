import type { Repair, RepairCode } from './reason-codes';

/** Collects repairs for one item. @internal */
export interface RepairSink {
  target: Repair['target'];
  index: number;
  repairs: Repair[];
}

/** @internal */
export function recordRepair(
  sink: RepairSink,
  field: string,
  code: RepairCode,
  from: unknown,
  to: unknown,
  message: string,
): void {
  sink.repairs.push({ target: sink.target, index: sink.index, field, code, from, to, message });
}

/** Outcome of reading a loose field. @internal */
export type ReadResult<T> = { ok: true; value: T | undefined } | { ok: false; message: string };

const numericString = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * Reads a number that a model may have written as a string (`"101"`, `" 0.8 "`), recording the
 * repair. `null`/`undefined` read as absent. @internal
 */
export function readLooseNumber(value: unknown, field: string, sink: RepairSink): ReadResult<number> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `${field} is not finite` };
  }
  if (typeof value === 'string' && numericString.test(value)) {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) {
      recordRepair(
        sink,
        field,
        'number_from_string',
        value,
        parsed,
        `${field} ${JSON.stringify(value)} read as ${parsed}`,
      );
      return { ok: true, value: parsed };
    }
  }
  return { ok: false, message: `${field} must be a number, got ${describe(value)}` };
}

/**
 * Reads a string, trimming surrounding white space (recorded). `null`/`undefined` read as absent.
 * @internal
 */
export function readTrimmedString(value: unknown, field: string, sink: RepairSink): ReadResult<string> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'string')
    return { ok: false, message: `${field} must be a string, got ${describe(value)}` };
  const trimmed = value.trim();
  if (trimmed !== value) {
    recordRepair(sink, field, 'trimmed', value, trimmed, `${field} ${JSON.stringify(value)} trimmed`);
  }
  return { ok: true, value: trimmed };
}

/**
 * Reads one of `allowed`, accepting any letter case (recorded). @internal
 */
export function readEnum<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  sink: RepairSink,
): ReadResult<T> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'string')
    return { ok: false, message: `${field} must be one of ${allowed.join('|')}` };
  if ((allowed as readonly string[]).includes(value)) return { ok: true, value: value as T };
  const lower = value.trim().toLowerCase();
  const match = allowed.find((candidate) => candidate === lower);
  if (match === undefined) {
    return { ok: false, message: `${field} ${JSON.stringify(value)} is not one of ${allowed.join('|')}` };
  }
  recordRepair(
    sink,
    field,
    'enum_case',
    value,
    match,
    `${field} ${JSON.stringify(value)} read as "${match}"`,
  );
  return { ok: true, value: match };
}

/** A short, safe description of a value for messages. @internal */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

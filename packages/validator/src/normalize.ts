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

/**
 * Reusable out-parameter of the `read…Into` functions: they return whether the read succeeded and
 * write `value` (on success) or `message` (on failure) here, so that the hot path allocates no
 * result object. @internal
 */
export interface ReadOut<T> {
  value: T | undefined;
  message: string;
}

/** @internal */
export function readOut<T>(): ReadOut<T> {
  return { value: undefined, message: '' };
}

function toResult<T>(ok: boolean, out: ReadOut<T>): ReadResult<T> {
  return ok ? { ok: true, value: out.value } : { ok: false, message: out.message };
}

/**
 * Plain decimal only: no exponent (`"1e2"` is not read as 100), no hex, no infinity. A string with
 * more significant digits than a double holds (`"100.0000000000000001"`) is refused too: reading it
 * would silently round it to another value.
 */
const numericString = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*$/;
const MAX_SIGNIFICANT_DIGITS = 15;

/** Whether a plain decimal string has no more significant digits than a double keeps exactly. */
function exactDecimal(text: string): boolean {
  const digits = text.replace(/[^0-9]/g, '').replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  return significant.length <= MAX_SIGNIFICANT_DIGITS;
}

/**
 * Reads a number that a model may have written as a string (`"101"`, `" 0.8 "`), recording the
 * repair. `null`/`undefined` read as absent. @internal
 */
export function readLooseNumber(value: unknown, field: string, sink: RepairSink): ReadResult<number> {
  const out = readOut<number>();
  return toResult(readLooseNumberInto(value, field, sink, out), out);
}

/** {@link readLooseNumber} writing into `out`. @internal */
export function readLooseNumberInto(
  value: unknown,
  field: string,
  sink: RepairSink,
  out: ReadOut<number>,
): boolean {
  out.value = undefined;
  if (value === undefined || value === null) return true;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) {
      out.value = value;
      return true;
    }
    out.message = `${field} is not finite`;
    return false;
  }
  if (typeof value === 'string' && numericString.test(value) && exactDecimal(value)) {
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
      out.value = parsed;
      return true;
    }
  }
  out.message = `${field} must be a number, got ${describe(value)}`;
  return false;
}

/**
 * Reads a string, trimming surrounding white space (recorded). `null`/`undefined` read as absent.
 * @internal
 */
export function readTrimmedString(value: unknown, field: string, sink: RepairSink): ReadResult<string> {
  const out = readOut<string>();
  return toResult(readTrimmedStringInto(value, field, sink, out), out);
}

/** {@link readTrimmedString} writing into `out`. @internal */
export function readTrimmedStringInto(
  value: unknown,
  field: string,
  sink: RepairSink,
  out: ReadOut<string>,
): boolean {
  out.value = undefined;
  if (value === undefined || value === null) return true;
  if (typeof value !== 'string') {
    out.message = `${field} must be a string, got ${describe(value)}`;
    return false;
  }
  const trimmed = value.trim();
  if (trimmed !== value) {
    recordRepair(sink, field, 'trimmed', value, trimmed, `${field} ${JSON.stringify(value)} trimmed`);
  }
  out.value = trimmed;
  return true;
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
  const out = readOut<T>();
  return toResult(readEnumInto(value, field, allowed, sink, out), out);
}

/** {@link readEnum} writing into `out`. @internal */
export function readEnumInto<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  sink: RepairSink,
  out: ReadOut<T>,
): boolean {
  out.value = undefined;
  if (value === undefined || value === null) return true;
  if (typeof value !== 'string') {
    out.message = `${field} must be one of ${allowed.join('|')}`;
    return false;
  }
  for (let position = 0; position < allowed.length; position++) {
    if (allowed[position] === value) {
      out.value = allowed[position];
      return true;
    }
  }
  const lower = value.trim().toLowerCase();
  let match: T | undefined;
  for (let position = 0; position < allowed.length; position++) {
    if (allowed[position] === lower) {
      match = allowed[position];
      break;
    }
  }
  if (match === undefined) {
    out.message = `${field} ${JSON.stringify(value)} is not one of ${allowed.join('|')}`;
    return false;
  }
  recordRepair(
    sink,
    field,
    'enum_case',
    value,
    match,
    `${field} ${JSON.stringify(value)} read as "${match}"`,
  );
  out.value = match;
  return true;
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

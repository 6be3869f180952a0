import { readFileSync } from 'node:fs';

/** Issue of one setting: which one, and what is wrong with it (never its value when it is a secret). */
export interface SettingIssue {
  path: string;
  message: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Typed reads of settings given as strings (environment variables, or a JSON file of the same
 * keys underneath them). A value that cannot be read is an issue, collected rather than thrown,
 * so one error can list every problem at once. Empty strings count as unset. @internal
 */
export class EnvReader {
  readonly issues: SettingIssue[] = [];
  private readonly values: Env;

  /** `file`: a JSON object of the same keys, read first; the environment wins over it. */
  constructor(env: Env, file?: string) {
    const fromFile = file === undefined ? {} : this.readFile(file);
    this.values = {
      ...fromFile,
      ...Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
    };
  }

  /** Every setting as read (file and environment merged), for readers that take an environment. */
  get env(): Env {
    return this.values;
  }

  text(name: string): string | undefined {
    return this.values[name]?.trim() || undefined;
  }

  /** A comma-separated list, empty when unset. */
  list(name: string): string[] {
    return (this.text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  integer(name: string, min: number, max: number): number | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    // Decimal digits only: Number() would also read "0x50" as 80 and "1e3" as 1000.
    const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.issue(name, `must be an integer from ${min} to ${max}, got "${raw.slice(0, 20)}"`);
      return undefined;
    }
    return value;
  }

  /** `1/true/yes/on` or `0/false/no/off`; unset is false. */
  bool(name: string): boolean {
    const raw = this.text(name)?.toLowerCase();
    if (raw === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.issue(name, `must be true or false, got "${raw.slice(0, 20)}"`);
    return false;
  }

  /** An http(s) URL, as given. */
  url(name: string): string | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return raw;
    } catch {
      // Reported below, like a URL of another protocol.
    }
    this.issue(name, 'must be an http(s) URL');
    return undefined;
  }

  issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  private readFile(file: string): Record<string, string> {
    const fromFile: Record<string, string> = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        this.issue('(file)', `${file} must hold a JSON object`);
        return fromFile;
      }
      for (const [key, value] of Object.entries(parsed))
        fromFile[key] = Array.isArray(value) ? value.join(',') : String(value);
    } catch (error) {
      this.issue(
        '(file)',
        `cannot read ${file} as JSON (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'})`,
      );
    }
    return fromFile;
  }
}

import { ValidationError } from '@ballast/core';

/** One `matchExpressions` entry of a Kubernetes `LabelSelector`. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: readonly string[] | undefined;
}

/** A Kubernetes `LabelSelector` (`spec.selector` of a Deployment). */
export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>> | undefined;
  matchExpressions?: readonly LabelSelectorRequirement[] | undefined;
}

/**
 * Turns a `LabelSelector` (both `matchLabels` and `matchExpressions`) into the `labelSelector` query
 * string the API server understands, so pods are found exactly as the Deployment's controller finds
 * them instead of guessing `app=<name>`.
 *
 * Operators: `In` → `key in (a,b)`, `NotIn` → `key notin (a,b)`, `Exists` → `key`,
 * `DoesNotExist` → `!key`. Requirements are sorted by key for a stable string.
 *
 * @throws ValidationError for an unknown operator, `In`/`NotIn` without values, or an empty selector
 *   (which would match every pod in the namespace).
 * @example
 * ```ts
 * toLabelSelectorString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['api', 'edge'] }] });
 * // 'app=web,tier in (api,edge)'
 * ```
 */
export function toLabelSelectorString(selector: LabelSelector): string {
  if (typeof selector !== 'object' || selector === null)
    throw invalid('selector', 'must be a LabelSelector ({ matchLabels?, matchExpressions? })');
  checkLabels(selector);
  const parts: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    parts.push({ key, text: `${key}=${value}` });
  }
  for (const [index, requirement] of (selector.matchExpressions ?? []).entries()) {
    const { key, operator } = requirement;
    const values = [...(requirement.values ?? [])].sort();
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          throw invalid(`matchExpressions.${index}.values`, `operator ${operator} needs at least one value`);
        }
        parts.push({ key, text: `${key} ${operator === 'In' ? 'in' : 'notin'} (${values.join(',')})` });
        break;
      case 'Exists':
        parts.push({ key, text: key });
        break;
      case 'DoesNotExist':
        parts.push({ key, text: `!${key}` });
        break;
      default:
        throw invalid(`matchExpressions.${index}.operator`, `unknown operator ${JSON.stringify(operator)}`);
    }
  }
  if (parts.length === 0) {
    throw invalid('selector', 'an empty selector would match every pod in the namespace');
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.text < b.text ? -1 : 1))
    .map((part) => part.text)
    .join(',');
}

/**
 * Whether a set of labels satisfies a `LabelSelector`, with the API server's semantics
 * (useful to double-check what a list returned).
 *
 * @example
 * ```ts
 * matchesLabelSelector({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'api' }); // true
 * ```
 */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const actual = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (actual[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(actual, requirement.key);
    const value = actual[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const labelName = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: `[prefix/]name`, the prefix a DNS subdomain (≤ 253), the name ≤ 63 characters. */
function isLabelKey(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.lastIndexOf('/');
  if (slash === -1) return labelName.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && dnsSubdomain.test(prefix) && labelName.test(key.slice(slash + 1));
}

/** A label value: empty, or ≤ 63 of `[A-Za-z0-9_.-]` starting and ending alphanumeric. */
function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && (value === '' || labelName.test(value));
}

/**
 * Keys and values are checked with the API server's rules: the selector string has no quoting, so
 * a value such as `web,tier!=canary` used to add a requirement of its own (and `a),b in (c` to
 * close a set early), selecting other pods than the selector says.
 */
function checkLabels(selector: LabelSelector): void {
  const issues: Array<{ path: string; message: string }> = [];
  const keyMessage = 'must be a label key ([prefix/]name: letters, digits, - _ . ; name at most 63)';
  const valueMessage = 'must be a label value (empty, or at most 63 letters, digits, - _ . )';
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!isLabelKey(key)) issues.push({ path: `matchLabels.${key}`, message: keyMessage });
    else if (!isLabelValue(value)) issues.push({ path: `matchLabels.${key}`, message: valueMessage });
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) issues.push({ path: 'matchExpressions', message: 'must be an array' });
  else
    expressions.forEach((requirement, index) => {
      if (!isLabelKey(requirement?.key))
        issues.push({ path: `matchExpressions.${index}.key`, message: keyMessage });
      (requirement?.values ?? []).forEach((value: unknown, position: number) => {
        if (!isLabelValue(value))
          issues.push({ path: `matchExpressions.${index}.values.${position}`, message: valueMessage });
      });
    });
  if (issues.length === 0) return;
  throw new ValidationError({
    message: `Invalid label selector: ${issues
      .slice(0, 5)
      .map((issue) => `${issue.path.slice(0, 80)}: ${issue.message}`)
      .join('; ')}`,
    issues,
  });
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError({
    message: `Invalid label selector: ${path}: ${message}`,
    issues: [{ path, message }],
  });
}

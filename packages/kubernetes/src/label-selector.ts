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

function invalid(path: string, message: string): ValidationError {
  return new ValidationError({
    message: `Invalid label selector: ${path}: ${message}`,
    issues: [{ path, message }],
  });
}

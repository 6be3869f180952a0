import type { LabelSelectorJson } from './wire';

/** One parsed requirement of a `labelSelector` query string. */
interface Requirement {
  key: string;
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

/**
 * Parses a `labelSelector` query (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) as the API server does.
 * Throws on syntax it does not understand (the fake answers 400 then).
 */
export function parseLabelSelectorQuery(query: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of query) {
    if (character === '(') depth++;
    if (character === ')') depth--;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += character;
  }
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    let match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (match) {
      return {
        key: match[1]!,
        operator: match[2] as 'in' | 'notin',
        values: match[3]!.split(',').map((value) => value.trim()),
      };
    }
    match = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
    if (match) {
      return { key: match[1]!, operator: match[2] === '!=' ? '!=' : '=', values: [match[3]!] };
    }
    match = /^(!?)([\w./-]+)$/.exec(part);
    if (match) return { key: match[2]!, operator: match[1] ? '!' : 'exists', values: [] };
    throw new Error(`unable to parse requirement: ${JSON.stringify(part)}`);
  });
}

/** Whether labels satisfy every requirement of a parsed selector. */
export function matchesRequirements(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const actual = labels ?? {};
  return requirements.every((requirement) => {
    const has = Object.hasOwn(actual, requirement.key);
    const value = actual[requirement.key];
    switch (requirement.operator) {
      case '=':
        return has && value === requirement.values[0];
      case '!=':
        return !has || value !== requirement.values[0];
      case 'in':
        return has && value !== undefined && requirement.values.includes(value);
      case 'notin':
        return !has || value === undefined || !requirement.values.includes(value);
      case 'exists':
        return has;
      case '!':
        return !has;
    }
    return false;
  });
}

/** The `labelSelector` string of a `LabelSelector` (as `scale.status.selector` shows it). */
export function selectorString(selector: LabelSelectorJson | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(',');
    if (expression.operator === 'In') parts.push(`${expression.key} in (${values})`);
    else if (expression.operator === 'NotIn') parts.push(`${expression.key} notin (${values})`);
    else if (expression.operator === 'Exists') parts.push(expression.key);
    else parts.push(`!${expression.key}`);
  }
  return parts.sort().join(',');
}

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AVI_GET_PATH_TEMPLATES,
  AVI_HEALTH_MONITOR_TYPES,
  AVI_LB_ALGORITHMS,
  AVI_OPER_STATES,
  AVI_SE_ENABLE_STATES,
  AVI_SE_POWER_STATES,
  AVI_VIRTUAL_SERVICE_TYPES,
} from './swagger-facts';

// The enums and the GET allowlist are re-derived from the swagger copies (alb-sdk, Apache-2.0, see
// __fixtures__/README.md): nothing in swagger-facts.ts may be invented.

const swaggerDir = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'swagger');
interface Swagger {
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, { properties?: Record<string, { description?: string }> }>;
}
const load = (file: string) => JSON.parse(readFileSync(join(swaggerDir, file), 'utf8')) as Swagger;
const enumOf = (file: string, definition: string, property: string) => {
  const description = load(file).definitions[definition]?.properties?.[property]?.description ?? '';
  return /Enum options - ([A-Z0-9_, ]+)\./
    .exec(description)?.[1]
    ?.split(',')
    .map((value) => value.trim());
};

describe('swagger facts', () => {
  it.each([
    ['Pool.json', 'Pool', 'lb_algorithm', AVI_LB_ALGORITHMS],
    ['VsInventory.json', 'OperationalStatus', 'state', AVI_OPER_STATES],
    ['ServiceEngine.json', 'ServiceEngine', 'enable_state', AVI_SE_ENABLE_STATES],
    ['VirtualService.json', 'VirtualService', 'type', AVI_VIRTUAL_SERVICE_TYPES],
    ['HealthMonitor.json', 'HealthMonitor', 'type', AVI_HEALTH_MONITOR_TYPES],
  ] as const)('%s %s.%s enum matches the spec', (file, definition, property, values) => {
    expect(enumOf(file, definition, property)).toEqual([...values]);
  });

  it('power states match the spec', () => {
    const text = readFileSync(join(swaggerDir, 'ServiceEngineInventory.json'), 'utf8');
    const match = /power_state[^}]*?Enum options - ([A-Z0-9_, ]+)\./.exec(text);
    expect(match?.[1]?.split(',').map((value) => value.trim())).toEqual([...AVI_SE_POWER_STATES]);
  });

  it('the GET allowlist is exactly the spec GET paths', () => {
    const paths = new Set<string>();
    for (const file of readdirSync(swaggerDir).filter((name) => name.endsWith('.json')))
      for (const [path, operations] of Object.entries(load(file).paths))
        if ('get' in operations) paths.add(`/api${path.replace(/\/+$/, '')}`);
    expect([...AVI_GET_PATH_TEMPLATES].sort()).toEqual([...paths].sort());
  });
});

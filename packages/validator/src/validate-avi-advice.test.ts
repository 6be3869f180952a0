import { type AviSnapshot, aviSnapshotSchema, ValidationError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AviValidationOptions, validateAviAdvice } from './validate-avi-advice';

const snapshot: AviSnapshot = aviSnapshotSchema.parse({
  source: { controller: 'https://avi.test', version: '30.2.1', tenant: 'admin' },
  collectedAt: 0,
  metricsStepSeconds: 300,
  virtualServices: [
    {
      uuid: 'virtualservice-shop',
      name: 'vs-shop',
      enabled: true,
      operState: 'OPER_UP',
      healthScore: 58,
      poolUuids: ['pool-web'],
      serviceEngineGroupUuid: 'serviceenginegroup-1',
      serviceEngineUuids: ['se-hot'],
      metrics: { bandwidthBitsPerSecond: { values: [300], latest: 300 } },
    },
    {
      uuid: 'virtualservice-api',
      name: 'vs-api',
      enabled: true,
      operState: 'OPER_UP',
      poolUuids: ['pool-api'],
      serviceEngineUuids: ['se-hot'],
      metrics: { bandwidthBitsPerSecond: { values: [100], latest: 100 } },
    },
    {
      uuid: 'virtualservice-down',
      name: 'vs-down',
      enabled: true,
      operState: 'OPER_DOWN',
      serviceEngineUuids: ['se-cool'],
    },
  ],
  pools: [
    {
      uuid: 'pool-web',
      name: 'pool-web',
      enabled: true,
      operState: 'OPER_UP',
      servers: [
        { ip: '10.0.0.1', port: 80, enabled: true, ratio: 1, operState: 'OPER_UP' },
        { ip: '10.0.0.2', port: 80, enabled: true, ratio: 1, operState: 'OPER_DOWN' },
        { ip: '10.0.0.3', port: 80, enabled: false, ratio: 1, operState: 'OPER_DISABLED' },
      ],
    },
    {
      uuid: 'pool-api',
      name: 'pool-api',
      enabled: true,
      operState: 'OPER_UP',
      servers: [{ ip: '10.0.1.1', port: 80, enabled: true, ratio: 1, operState: 'OPER_UP' }],
    },
  ],
  serviceEngines: [
    {
      uuid: 'se-hot',
      name: 'se-hot',
      enableState: 'SE_STATE_ENABLED',
      operState: 'OPER_UP',
      cpuPercent: 92,
      serviceEngineGroupUuid: 'serviceenginegroup-1',
      virtualServiceUuids: ['virtualservice-shop', 'virtualservice-api'],
    },
    {
      uuid: 'se-cool',
      name: 'se-cool',
      enableState: 'SE_STATE_ENABLED',
      operState: 'OPER_UP',
      cpuPercent: 20,
      serviceEngineGroupUuid: 'serviceenginegroup-1',
      virtualServiceUuids: ['virtualservice-down'],
    },
    {
      uuid: 'se-busy',
      name: 'se-busy',
      enableState: 'SE_STATE_ENABLED',
      operState: 'OPER_UP',
      cpuPercent: 75,
      serviceEngineGroupUuid: 'serviceenginegroup-1',
    },
    {
      uuid: 'se-off',
      name: 'se-off',
      enableState: 'SE_STATE_DISABLED',
      operState: 'OPER_DISABLED',
      cpuPercent: 0,
      serviceEngineGroupUuid: 'serviceenginegroup-1',
    },
  ],
  serviceEngineGroups: [
    { uuid: 'serviceenginegroup-1', name: 'Default-Group', maxServiceEnginesPerVirtualService: 2 },
  ],
});

const item = (fields: Record<string, unknown>) => ({ risk: 'medium', reasoning: 'because', ...fields });

describe('validateAviAdvice', () => {
  it.each([
    [
      'migrate to a cool SE',
      item({ action: 'migrate_virtual_service', virtualService: 'vs-api', toServiceEngine: 'se-cool' }),
      [],
    ],
    [
      'scale out (picks the coolest SE)',
      item({ action: 'scale_out_virtual_service', virtualService: 'vs-shop' }),
      [],
    ],
    [
      'disable a down server',
      item({ action: 'disable_pool_server', pool: 'pool-web', server: '10.0.0.2:80' }),
      [],
    ],
    [
      'enable a disabled server',
      item({ action: 'enable_pool_server', pool: 'pool-web', server: '10.0.0.3' }),
      [],
    ],
    [
      'set a ratio',
      item({ action: 'set_pool_server_ratio', pool: 'pool-web', server: '10.0.0.1', ratio: 3 }),
      [],
    ],
    ['investigate', item({ action: 'investigate_virtual_service', virtualService: 'vs-shop' }), []],
    [
      'an invented VS',
      item({ action: 'investigate_virtual_service', virtualService: 'vs-ghost' }),
      ['unknown_virtual_service'],
    ],
    [
      'an invented SE',
      item({ action: 'migrate_virtual_service', virtualService: 'vs-shop', toServiceEngine: 'se-ghost' }),
      ['unknown_service_engine'],
    ],
    [
      'an invented pool',
      item({ action: 'disable_pool_server', pool: 'pool-ghost', server: '10.0.0.1' }),
      ['unknown_pool'],
    ],
    [
      'an invented server',
      item({ action: 'disable_pool_server', pool: 'pool-web', server: '10.9.9.9' }),
      ['unknown_server'],
    ],
    [
      'migrate to the SE it runs on',
      item({ action: 'migrate_virtual_service', virtualService: 'vs-shop', toServiceEngine: 'se-hot' }),
      ['same_service_engine'],
    ],
    [
      'migrate to a disabled SE',
      item({ action: 'migrate_virtual_service', virtualService: 'vs-shop', toServiceEngine: 'se-off' }),
      ['action_not_allowed'],
    ],
    [
      'migrate onto a busy SE',
      item({ action: 'migrate_virtual_service', virtualService: 'vs-shop', toServiceEngine: 'se-busy' }),
      ['no_capacity'],
    ],
    [
      'migrate from an SE that does not host it',
      item({
        action: 'migrate_virtual_service',
        virtualService: 'vs-shop',
        fromServiceEngine: 'se-cool',
        toServiceEngine: 'se-busy',
      }),
      ['not_placed_there'],
    ],
    [
      'scale out a VS that is down',
      item({ action: 'scale_out_virtual_service', virtualService: 'vs-down' }),
      ['action_not_allowed'],
    ],
    [
      'disable the last server that is up',
      item({ action: 'disable_pool_server', pool: 'pool-api', server: '10.0.1.1' }),
      ['last_server'],
    ],
    [
      'enable an enabled server',
      item({ action: 'enable_pool_server', pool: 'pool-web', server: '10.0.0.1' }),
      ['action_not_allowed'],
    ],
    [
      'ratio 0',
      item({ action: 'set_pool_server_ratio', pool: 'pool-web', server: '10.0.0.1', ratio: 0 }),
      ['invalid_ratio'],
    ],
    [
      'ratio unchanged',
      item({ action: 'set_pool_server_ratio', pool: 'pool-web', server: '10.0.0.1', ratio: 1 }),
      ['invalid_ratio'],
    ],
    ['a missing VS', item({ action: 'scale_out_virtual_service' }), ['missing_field']],
    ['an unknown action', item({ action: 'reboot_controller' }), ['invalid_shape']],
    ['not an object', 'delete everything', ['invalid_shape']],
  ] as const)('%s', (_, given, codes) => {
    const result = validateAviAdvice(snapshot, [given]);
    expect(result.rejected.flatMap((rejection) => rejection.reasons.map((reason) => reason.code))).toEqual(
      codes,
    );
    expect(result.accepted).toHaveLength(codes.length === 0 ? 1 : 0);
  });

  it('computes the numbers of a migration from the bandwidth split', () => {
    const { accepted } = validateAviAdvice(snapshot, [
      item({ action: 'migrate_virtual_service', virtualService: 'vs-api', toServiceEngine: 'se-cool' }),
    ]);
    // vs-api carries 100 of se-hot's 400 bandwidth: 25 % of 92 % CPU = 23 %.
    expect(accepted[0]).toMatchObject({
      source: 'llm',
      numbers: { sourceCpuPercent: 92, targetCpuPercentAfter: 43, sourceCpuPercentAfter: 69 },
    });
  });

  it('checks items together: a second move onto the same SE sees the first', () => {
    const { accepted, rejected } = validateAviAdvice(snapshot, [
      item({ action: 'migrate_virtual_service', virtualService: 'vs-api', toServiceEngine: 'se-cool' }),
      item({ action: 'migrate_virtual_service', virtualService: 'vs-shop', toServiceEngine: 'se-cool' }),
    ]);
    expect(accepted.map((recommendation) => recommendation.virtualService)).toEqual(['vs-api']);
    expect(rejected[0]?.reasons[0]?.code).toBe('no_capacity');
  });

  it('rejects duplicates and keeps the placement limit', () => {
    const { rejected } = validateAviAdvice(snapshot, [
      item({ action: 'investigate_virtual_service', virtualService: 'vs-shop' }),
      item({ action: 'investigate_virtual_service', virtualService: 'vs-shop' }),
      item({ action: 'scale_out_virtual_service', virtualService: 'vs-shop', toServiceEngine: 'se-cool' }),
      item({ action: 'scale_out_virtual_service', virtualService: 'vs-shop' }),
    ]);
    expect(rejected.map((rejection) => rejection.reasons[0]?.code)).toEqual(['duplicate', 'placement_limit']);
  });

  it('property: whatever the model says, no accepted set overloads an SE or empties a pool', () => {
    const names = {
      virtualService: fc.constantFrom('vs-shop', 'vs-api', 'vs-down', 'vs-ghost'),
      serviceEngine: fc.constantFrom('se-hot', 'se-cool', 'se-busy', 'se-off', 'se-ghost'),
      pool: fc.constantFrom('pool-web', 'pool-api', 'pool-ghost'),
      server: fc.constantFrom('10.0.0.1', '10.0.0.2:80', '10.0.0.3', '10.0.1.1', '1.2.3.4'),
    };
    const recommendation = fc.record(
      {
        action: fc.constantFrom(
          'scale_out_virtual_service',
          'migrate_virtual_service',
          'disable_pool_server',
          'enable_pool_server',
          'set_pool_server_ratio',
          'investigate_virtual_service',
        ),
        virtualService: names.virtualService,
        toServiceEngine: names.serviceEngine,
        pool: names.pool,
        server: names.server,
        ratio: fc.integer({ min: -2, max: 25 }),
        risk: fc.constant('low'),
        reasoning: fc.constant('r'),
      },
      { requiredKeys: ['action', 'risk', 'reasoning'] },
    );
    fc.assert(
      fc.property(fc.array(recommendation, { maxLength: 8 }), (items) => {
        const { accepted, rejected } = validateAviAdvice(snapshot, items);
        expect(accepted.length + rejected.length).toBe(items.length);
        for (const recommendation of accepted) {
          if (recommendation.numbers.targetCpuPercentAfter !== undefined)
            expect(recommendation.numbers.targetCpuPercentAfter).toBeLessThanOrEqual(80);
          if (recommendation.action === 'disable_pool_server')
            expect(recommendation.numbers.serversUpAfter).toBeGreaterThan(0);
          if (recommendation.action === 'set_pool_server_ratio')
            expect(recommendation.ratio).toBeGreaterThanOrEqual(1);
        }
        const disabled = accepted.filter((recommendation) => recommendation.action === 'disable_pool_server');
        expect(disabled.filter((recommendation) => recommendation.pool === 'pool-api')).toEqual([]);
      }),
    );
  });
});

describe('validateAviAdvice: bad options and input are typed errors, never a silent pass', () => {
  const busyMove = item({
    action: 'migrate_virtual_service',
    virtualService: 'vs-shop',
    toServiceEngine: 'se-busy',
  });
  const pathOf = (run: () => unknown): string | undefined => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues[0]?.path;
    }
    return undefined;
  };

  it.each<[string, Record<string, unknown>, string]>([
    // Before: `projected > NaN` is false, so the move onto the busy SE was accepted.
    [
      'maxServiceEngineCpuPercent: NaN',
      { maxServiceEngineCpuPercent: Number.NaN },
      'options.maxServiceEngineCpuPercent',
    ],
    [
      'maxServiceEngineCpuPercent: "80"',
      { maxServiceEngineCpuPercent: '80' },
      'options.maxServiceEngineCpuPercent',
    ],
    [
      'defaultMaxServiceEnginesPerVirtualService: NaN',
      { defaultMaxServiceEnginesPerVirtualService: Number.NaN },
      'options.defaultMaxServiceEnginesPerVirtualService',
    ],
    [
      'defaultMaxServiceEnginesPerVirtualService: 1.5',
      { defaultMaxServiceEnginesPerVirtualService: 1.5 },
      'options.defaultMaxServiceEnginesPerVirtualService',
    ],
    ['source: "rules"', { source: 'rules' }, 'options.source'],
  ])('%s', (_name, options, path) => {
    expect(pathOf(() => validateAviAdvice(snapshot, [busyMove], options as AviValidationOptions))).toBe(path);
  });

  it('items that are not an array (before: a TypeError from forEach)', () => {
    expect(pathOf(() => validateAviAdvice(snapshot, { recommendations: [] } as unknown as unknown[]))).toBe(
      'items',
    );
  });

  it('an SE with a NaN CPU figure (before: every move onto it passed the capacity check)', () => {
    const broken = {
      ...snapshot,
      serviceEngines: snapshot.serviceEngines.map((se) =>
        se.uuid === 'se-busy' ? { ...se, cpuPercent: Number.NaN } : se,
      ),
    };
    expect(pathOf(() => validateAviAdvice(broken, [busyMove]))).toBe('snapshot.serviceEngines.2.cpuPercent');
  });
});

import { describe, expect, it } from 'vitest';
import { groupHpaPods, type HpaMetricSpec, type HpaPod, hpaMetricReplicas } from './hpa-replica-calculator';

// Cases re-expressed from upstream kubernetes/kubernetes
// pkg/controller/podautoscaler/replica_calculator_test.go (the test names are kept). Upstream pods
// have two containers with equal levels and requests; utilization is the same with one, so levels
// are given per pod in millicores and requests in cores. Upstream test settings: CPU
// initialization period 2 min, initial readiness delay 10 s, tolerance 0.1; "hot" pods started
// now (inside the initialization period, sample window not yet after the readiness transition),
// "cool" pods 3 min ago.

const now = 1_760_000_000_000;
const hot = now;
const cool = now - 3 * 60_000;

interface CpuCase {
  name: string;
  /** What the case checks. */
  checks: string;
  current: number;
  requests: number[];
  levels: number[];
  target: number;
  readiness?: boolean[];
  phases?: NonNullable<HpaPod['phase']>[];
  deleting?: boolean[];
  startTimes?: number[];
  podNames?: string[];
  expected: number | { error: string };
  utilization?: number;
}

function cpuPods(testCase: {
  current: number;
  requests: number[];
  readiness?: boolean[] | undefined;
  phases?: NonNullable<HpaPod['phase']>[] | undefined;
  deleting?: boolean[] | undefined;
  startTimes?: number[] | undefined;
}): HpaPod[] {
  const count = Math.max(testCase.current, testCase.phases?.length ?? 0);
  return Array.from({ length: count }, (_, index) => {
    const request = testCase.requests[index];
    const startTime = testCase.startTimes?.[index];
    return {
      name: `test-pod-${index}`,
      ready: testCase.readiness?.[index] ?? true,
      ...(testCase.phases?.[index] === undefined ? {} : { phase: testCase.phases[index] }),
      ...(testCase.deleting?.[index] === true ? { deleting: true } : {}),
      ...(startTime === undefined ? {} : { startTime }),
      ...(request === undefined ? {} : { requests: { cpu: request } }),
    };
  });
}

function samples(levels: number[], divisor: number, names?: string[]) {
  return Object.fromEntries(
    levels.map((level, index) => [
      names?.[index] ?? `test-pod-${index}`,
      { value: level / divisor, timestamp: now, windowSeconds: 60 },
    ]),
  );
}

const context = (pods: HpaPod[], current: number) => ({
  now,
  currentReplicas: current,
  pods,
  cpuInitializationPeriodSeconds: 120,
  initialReadinessDelaySeconds: 10,
});

const cpuCases: CpuCase[] = [
  {
    name: 'TestReplicaCalcDisjointResourcesMetrics',
    checks: 'a sample for a pod the selector does not return is not matched to any request',
    current: 1,
    requests: [1],
    levels: [100],
    podNames: ['an-older-pod-name'],
    target: 100,
    expected: { error: 'no metrics returned matched known pods' },
  },
  {
    name: 'TestReplicaCalcScaleUp',
    checks: 'U = floor(100·1500/3000) = 50 %, ratio 50/30 → ceil(1.67·3) = 5',
    current: 3,
    requests: [1, 1, 1],
    levels: [300, 500, 700],
    target: 30,
    expected: 5,
    utilization: 50,
  },
  {
    name: 'TestReplicaCalcScaleUpUnreadyLessScale',
    checks: 'a never-ready pod is unready; on scale-up it counts as 0 % in the second pass',
    current: 3,
    requests: [1, 1, 1],
    levels: [300, 500, 700],
    readiness: [false, true, true],
    target: 30,
    expected: 4,
    utilization: 60,
  },
  {
    name: 'TestReplicaCalcScaleUpHotCpuLessScale',
    checks: 'a pod inside the CPU initialization period without a fresh sample is unready',
    current: 3,
    requests: [1, 1, 1],
    levels: [300, 500, 700],
    startTimes: [hot, cool, cool],
    target: 30,
    expected: 4,
    utilization: 60,
  },
  {
    name: 'TestReplicaCalcScaleUpUnreadyNoScale',
    checks: 'unready pods at 0 % flip the ratio below 1 → keep current',
    current: 3,
    requests: [1, 1, 1],
    levels: [400, 500, 700],
    readiness: [true, false, false],
    target: 30,
    expected: 3,
    utilization: 40,
  },
  {
    name: 'TestReplicaCalcScaleHotCpuNoScale',
    checks: 'hot, unready pods: direction flip → keep current',
    current: 3,
    requests: [1, 1, 1],
    levels: [400, 500, 700],
    readiness: [true, false, false],
    startTimes: [cool, hot, hot],
    target: 30,
    expected: 3,
    utilization: 40,
  },
  {
    name: 'TestReplicaCalcScaleUpIgnoresFailedPods',
    checks: 'Failed pods are ignored entirely',
    current: 2,
    requests: [1, 1, 1, 1],
    levels: [500, 700],
    readiness: [true, true, false, false],
    phases: ['Running', 'Running', 'Failed', 'Failed'],
    target: 30,
    expected: 4,
    utilization: 60,
  },
  {
    name: 'TestReplicaCalcScaleUpIgnoresDeletionPods',
    checks: 'pods with a deletion timestamp are ignored entirely',
    current: 2,
    requests: [1, 1, 1, 1],
    levels: [500, 700],
    readiness: [true, true, false, false],
    phases: ['Running', 'Running', 'Running', 'Running'],
    deleting: [false, false, true, true],
    target: 30,
    expected: 4,
    utilization: 60,
  },
  {
    name: 'TestReplicaCalcScaleDown',
    checks: 'U = floor(28) %, ratio 0.56 → ceil(0.56·5) = 3',
    current: 5,
    requests: [1, 1, 1, 1, 1],
    levels: [100, 300, 500, 250, 250],
    target: 50,
    expected: 3,
    utilization: 28,
  },
  {
    name: 'TestReplicaCalcScaleDownExcludeUnreadyPods',
    checks: 'on scale-down unready pods are left out (not filled in)',
    current: 5,
    requests: [1, 1, 1, 1, 1],
    levels: [100, 300, 500, 250, 250],
    readiness: [true, true, true, false, false],
    target: 50,
    expected: 2,
    utilization: 30,
  },
  {
    name: 'TestReplicaCalcScaleDownExcludeUnscheduledPods',
    checks: 'Pending pods are unready and left out on scale-down',
    current: 5,
    requests: [1, 1, 1, 1, 1],
    levels: [100],
    readiness: [true, false, false, false, false],
    phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
    target: 50,
    expected: 1,
    utilization: 10,
  },
  {
    name: 'TestReplicaCalcScaleDownIgnoreHotCpuPods',
    checks: 'hot pods are left out on scale-down',
    current: 5,
    requests: [1, 1, 1, 1, 1],
    levels: [100, 300, 500, 250, 250],
    startTimes: [cool, cool, cool, hot, hot],
    target: 50,
    expected: 2,
    utilization: 30,
  },
  {
    name: 'TestReplicaCalcScaleDownIgnoresFailedPods',
    checks: 'Failed pods are ignored on scale-down',
    current: 5,
    requests: [1, 1, 1, 1, 1, 1, 1],
    levels: [100, 300, 500, 250, 250],
    readiness: [true, true, true, true, true, false, false],
    phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    target: 50,
    expected: 3,
    utilization: 28,
  },
  {
    name: 'TestReplicaCalcScaleDownIgnoresDeletionPods',
    checks: 'deleting pods are ignored on scale-down',
    current: 5,
    requests: [1, 1, 1, 1, 1, 1, 1],
    levels: [100, 300, 500, 250, 250],
    readiness: [true, true, true, true, true, false, false],
    phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Running'],
    deleting: [false, false, false, false, false, true, true],
    target: 50,
    expected: 3,
    utilization: 28,
  },
  {
    name: 'TestReplicaCalcTolerance',
    checks: 'ratio 1.02 is within the 0.1 tolerance → keep current',
    current: 3,
    requests: [0.9, 1, 1.1],
    levels: [1010, 1030, 1020],
    target: 100,
    expected: 3,
    utilization: 102,
  },
  {
    name: 'TestReplicaCalcSuperfluousMetrics',
    checks: 'samples for pods outside the selector are ignored in U, but counted in len(metrics)',
    current: 4,
    requests: [1, 1, 1, 1],
    levels: [4000, 9500, 3000, 7000, 3200, 2000],
    target: 100,
    expected: 24,
    utilization: 587,
  },
  {
    name: 'TestReplicaCalcMissingMetrics',
    checks: 'scale-down: 2 missing pods count as 100 % of request → ceil(0.62·4) = 3',
    current: 4,
    requests: [1, 1, 1, 1],
    levels: [400, 95],
    target: 100,
    expected: 3,
    utilization: 24,
  },
  {
    name: 'TestReplicaCalcEmptyMetrics',
    checks: 'no samples at all → the metric is invalid',
    current: 4,
    requests: [1, 1, 1],
    levels: [],
    target: 100,
    expected: { error: 'no metrics returned' },
  },
  {
    name: 'TestReplicaCalcEmptyCPURequest',
    checks: 'a pod without a CPU request makes a Utilization target invalid',
    current: 1,
    requests: [],
    levels: [200],
    target: 100,
    expected: { error: 'missing request for' },
  },
  {
    name: 'TestReplicaCalcMissingMetricsNoChangeEq',
    checks: 'ratio exactly 1 with a missing pod → keep current',
    current: 2,
    requests: [1, 1],
    levels: [1000],
    target: 100,
    expected: 2,
    utilization: 100,
  },
  {
    name: 'TestReplicaCalcMissingMetricsNoChangeGt',
    checks: 'scale-up: missing pod at 0 % flips the ratio below 1 → keep current',
    current: 2,
    requests: [1, 1],
    levels: [1900],
    target: 100,
    expected: 2,
    utilization: 190,
  },
  {
    name: 'TestReplicaCalcMissingMetricsNoChangeLt',
    checks: 'scale-down: missing pod at 100 % → ratio 0.8 → ceil(1.6) = 2 = current',
    current: 2,
    requests: [1, 1],
    levels: [600],
    target: 100,
    expected: 2,
    utilization: 60,
  },
  {
    name: 'TestReplicaCalcMissingMetricsUnreadyChange',
    checks: 'missing pod filled at 100 % flips a scale-down into a scale-up → keep current',
    current: 3,
    requests: [1, 1, 1],
    levels: [100, 450],
    readiness: [false, true, true],
    target: 50,
    expected: 3,
    utilization: 45,
  },
  {
    name: 'TestReplicaCalcMissingMetricsHotCpuNoChange',
    checks: 'same with a hot pod instead of an unready one',
    current: 3,
    requests: [1, 1, 1],
    levels: [100, 450],
    startTimes: [hot, cool, cool],
    target: 50,
    expected: 3,
    utilization: 45,
  },
  {
    name: 'TestReplicaCalcMissingMetricsUnreadyScaleUp',
    checks: 'scale-up: missing and unready pods both count 0 % → ceil(1.33·3) = 4',
    current: 3,
    requests: [1, 1, 1],
    levels: [100, 2000],
    readiness: [false, true, true],
    target: 50,
    expected: 4,
    utilization: 200,
  },
  {
    name: 'TestReplicaCalcMissingMetricsHotCpuScaleUp',
    checks: 'same with a hot, unready pod',
    current: 3,
    requests: [1, 1, 1],
    levels: [100, 2000],
    readiness: [false, true, true],
    startTimes: [hot, cool, cool],
    target: 50,
    expected: 4,
    utilization: 200,
  },
  {
    name: 'TestReplicaCalcMissingMetricsUnreadyScaleDown',
    checks: 'scale-down: the unready pod is left out, the missing one filled at 100 %',
    current: 4,
    requests: [1, 1, 1, 1],
    levels: [100, 100, 100],
    readiness: [false, true, true, true],
    target: 50,
    expected: 3,
    utilization: 10,
  },
  {
    name: 'TestReplicaCalcMissingMetricsScaleDownTargetOver100',
    checks: 'scale-down with target 300 %: missing pods count as max(100 %, target) = 300 %',
    current: 4,
    requests: [1, 1, 2, 2],
    levels: [200, 100, 100],
    readiness: [false, true, true, true],
    target: 300,
    expected: 2,
    utilization: 6,
  },
  {
    name: 'TestReplicaCalcDuringRollingUpdateWithMaxSurge',
    checks: 'a surge pod without samples would raise the count on a scale-down → keep current',
    current: 2,
    requests: [1, 1, 1],
    levels: [100, 100],
    phases: ['Running', 'Running', 'Running'],
    target: 50,
    expected: 2,
    utilization: 10,
  },
];

describe('hpaMetricReplicas: Resource cpu Utilization (upstream replica_calculator_test cases)', () => {
  it.each(cpuCases)('$name — $checks', (testCase) => {
    const pods = cpuPods(testCase);
    const metric: HpaMetricSpec = {
      type: 'Resource',
      name: 'cpu',
      target: { type: 'Utilization', averageUtilization: testCase.target },
      samples: samples(testCase.levels, 1000, testCase.podNames),
    };
    const result = hpaMetricReplicas(metric, context(pods, testCase.current));
    if (typeof testCase.expected === 'object') {
      expect(result.replicas).toBeUndefined();
      expect(result.error).toContain(testCase.expected.error);
      return;
    }
    expect(result.error).toBeUndefined();
    expect(result.replicas).toBe(testCase.expected);
    if (testCase.utilization !== undefined) expect(result.utilization).toBe(testCase.utilization);
  });
});

interface PlainCase {
  name: string;
  checks: string;
  current: number;
  pods?: number;
  metric: HpaMetricSpec;
  readiness?: boolean[];
  startTimes?: number[];
  statusReplicas?: number;
  expected: number;
  value?: number;
}

const pods = (levels: number[]) =>
  Object.fromEntries(levels.map((level, index) => [`test-pod-${index}`, level]));

// Custom-metric levels are milli-values upstream (20000 = 20); here they are plain values.
const plainCases: PlainCase[] = [
  {
    name: 'TestReplicaCalcScaleUpCM',
    checks: 'Pods metric: mean 20 / target 15 → ceil(1.33·3) = 4',
    current: 3,
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 15 },
      samples: pods([20, 10, 30]),
    },
    expected: 4,
    value: 20,
  },
  {
    name: 'TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale',
    checks: 'readiness is not considered for non-CPU metrics',
    current: 3,
    readiness: [true, true, false],
    startTimes: [cool, cool, hot],
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 15 },
      samples: pods([50, 10, 30]),
    },
    expected: 6,
    value: 30,
  },
  {
    name: 'TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown',
    checks: 'integer mean in milli-units: floor(95000/3) = 31666 → ceil(2.11·3) = 7',
    current: 3,
    readiness: [false, true, false],
    startTimes: [hot, cool, hot],
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 15 },
      samples: pods([50, 15, 30]),
    },
    expected: 7,
    value: 31.666,
  },
  {
    name: 'TestReplicaCalcScaleUpCMObject',
    checks: 'Object Value: ratio 20/15 × 3 ready pods → 4',
    current: 3,
    metric: { type: 'Object', name: 'qps', target: { type: 'Value', value: 15 }, value: 20 },
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleUpCMPerPodObject',
    checks: 'Object AverageValue: ceil(20 / 5) = 4, per-pod value ceil(20000/3) milli',
    current: 3,
    metric: { type: 'Object', name: 'qps', target: { type: 'AverageValue', averageValue: 5 }, value: 20 },
    expected: 4,
    value: 6.667,
  },
  {
    name: 'TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods',
    checks: 'Object Value multiplies by READY pods only: ceil(5 × 1) = 5 (15 otherwise)',
    current: 3,
    readiness: [false, true, false],
    metric: { type: 'Object', name: 'qps', target: { type: 'Value', value: 10 }, value: 50 },
    expected: 5,
  },
  {
    name: 'TestReplicaCalcScaleUpCMExternal',
    checks: 'a single pod metric 8.6 vs 4.4 → 2',
    current: 1,
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 4.4 },
      samples: pods([8.6]),
    },
    expected: 2,
  },
  {
    name: 'TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods',
    checks: 'External Value multiplies by ready pods: ceil(1.95 × 1) = 2 (6 otherwise)',
    current: 3,
    readiness: [false, true, false],
    metric: { type: 'External', name: 'qps', target: { type: 'Value', value: 4.4 }, values: [8.6] },
    expected: 2,
  },
  {
    name: 'TestReplicaCalcScaleUpPerPodCMExternal',
    checks: 'External AverageValue: ceil(8.6 / 2.15) = 4',
    current: 3,
    metric: {
      type: 'External',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 2.15 },
      values: [8.6],
    },
    expected: 4,
    value: 2.867,
  },
  {
    name: 'TestReplicaCalcScaleDownCM',
    checks: 'Pods metric scale-down: 12/20 → ceil(0.6·5) = 3',
    current: 5,
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 20 },
      samples: pods([12, 12, 12, 12, 12]),
    },
    expected: 3,
  },
  {
    name: 'TestReplicaCalcScaleDownPerPodCMObject',
    checks: 'Object AverageValue scale-down: ceil(6 / 2) = 3, per-pod 1.2',
    current: 5,
    metric: { type: 'Object', name: 'qps', target: { type: 'AverageValue', averageValue: 2 }, value: 6 },
    expected: 3,
    value: 1.2,
  },
  {
    name: 'TestReplicaCalcScaleDownCMObject',
    checks: 'Object Value scale-down: ceil(0.6 × 5) = 3',
    current: 5,
    metric: { type: 'Object', name: 'qps', target: { type: 'Value', value: 20 }, value: 12 },
    expected: 3,
  },
  {
    name: 'TestReplicaCalcScaleDownCMExternal',
    checks: 'External Value scale-down: ceil(8.6/14.334 × 5) = 3',
    current: 5,
    metric: { type: 'External', name: 'qps', target: { type: 'Value', value: 14.334 }, values: [8.6] },
    expected: 3,
  },
  {
    name: 'TestReplicaCalcScaleDownPerPodCMExternal',
    checks: 'External AverageValue scale-down: ceil(8.6 / 2.867) = 3, per-pod 1.72',
    current: 5,
    metric: {
      type: 'External',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 2.867 },
      values: [8.6],
    },
    expected: 3,
    value: 1.72,
  },
  {
    name: 'TestReplicaCalcToleranceCM',
    checks: 'Pods metric within tolerance (1.033) → keep current',
    current: 3,
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 20 },
      samples: pods([20, 21, 21]),
    },
    expected: 3,
    value: 20.666,
  },
  {
    name: 'TestReplicaCalcToleranceCMObject',
    checks: 'Object Value within tolerance → keep current',
    current: 3,
    metric: { type: 'Object', name: 'qps', target: { type: 'Value', value: 20 }, value: 20.666 },
    expected: 3,
  },
  {
    name: 'TestReplicaCalcTolerancePerPodCMObject',
    checks: 'Object AverageValue within tolerance of status replicas → keep 4, per-pod ceil(20166/4) milli',
    current: 4,
    metric: { type: 'Object', name: 'qps', target: { type: 'AverageValue', averageValue: 5 }, value: 20.166 },
    expected: 4,
    value: 5.042,
  },
  {
    name: 'TestReplicaCalcToleranceCMExternal',
    checks: 'External Value within tolerance → keep current',
    current: 3,
    metric: { type: 'External', name: 'qps', target: { type: 'Value', value: 8.888 }, values: [8.6] },
    expected: 3,
  },
  {
    name: 'TestReplicaCalcTolerancePerPodCMExternal',
    checks: 'External AverageValue within tolerance → keep current',
    current: 3,
    metric: {
      type: 'External',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 2.9 },
      values: [8.6],
    },
    expected: 3,
  },
  {
    name: 'TestPlainMetricReplicaCalcMissingMetricsNoChangeEq',
    checks: 'plain metric at exactly the target with missing pods: no fill → keep current',
    current: 5,
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 20 },
      samples: pods([20, 19, 21]),
    },
    expected: 5,
  },
  {
    name: 'TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM',
    checks: 'plain metric: missing surge pod filled at target would scale up on a scale-down → keep current',
    current: 2,
    pods: 3,
    metric: {
      type: 'Pods',
      name: 'qps',
      target: { type: 'AverageValue', averageValue: 17 },
      samples: pods([10, 10]),
    },
    expected: 2,
  },
];

describe('hpaMetricReplicas: Pods, Object and External metrics (upstream cases)', () => {
  it.each(plainCases)('$name — $checks', (testCase) => {
    const list = cpuPods({
      current: testCase.pods ?? testCase.current,
      requests: [],
      readiness: testCase.readiness,
      startTimes: testCase.startTimes,
    });
    const result = hpaMetricReplicas(testCase.metric, context(list, testCase.current));
    expect(result.error).toBeUndefined();
    expect(result.replicas).toBe(testCase.expected);
    if (testCase.value !== undefined) expect(result.value).toBeCloseTo(testCase.value, 6);
  });
});

describe('groupHpaPods (upstream TestGroupPods)', () => {
  const options = { now, cpuInitializationPeriodSeconds: 120, initialReadinessDelaySeconds: 10 };

  it('memory: a pod with a sample counts as ready whatever its readiness', () => {
    const groups = groupHpaPods(
      [{ name: 'bentham', phase: 'Succeeded', ready: null }],
      { bentham: 1 },
      'memory',
      options,
    );
    expect(groups.readyCount).toBe(1);
  });

  it('CPU: a pod without a Ready condition is unready', () => {
    const groups = groupHpaPods(
      [{ name: 'lucretius', startTime: now, ready: null }],
      { lucretius: 1 },
      'cpu',
      options,
    );
    expect([...groups.unready]).toEqual(['lucretius']);
  });

  it('CPU: ready pod inside the initialization period with a sample window after the transition is ready', () => {
    const pod: HpaPod = {
      name: 'bentham',
      startTime: now - 60_000,
      ready: true,
      readyTransitionTime: now - 30_000,
    };
    const fresh = groupHpaPods(
      [pod],
      { bentham: { value: 1, timestamp: now, windowSeconds: 30 } },
      'cpu',
      options,
    );
    expect(fresh.readyCount).toBe(1);
    const stale = groupHpaPods(
      [pod],
      { bentham: { value: 1, timestamp: now, windowSeconds: 60 } },
      'cpu',
      options,
    );
    expect([...stale.unready]).toEqual(['bentham']);
  });

  it('CPU: after the initialization period, unready only if it has never been ready', () => {
    const neverReady: HpaPod = {
      name: 'a',
      startTime: now - 10 * 60_000,
      ready: false,
      readyTransitionTime: now - 9 * 60_000 - 54_000,
    };
    const wasReady: HpaPod = {
      name: 'b',
      startTime: now - 10 * 60_000,
      ready: false,
      readyTransitionTime: now - 9 * 60_000,
    };
    const groups = groupHpaPods([neverReady, wasReady], { a: 1, b: 1 }, 'cpu', options);
    expect([...groups.unready]).toEqual(['a']);
    expect(groups.readyCount).toBe(1);
  });

  it('missing, pending, deleted and failed pods', () => {
    const groups = groupHpaPods(
      [
        { name: 'epicurus' },
        { name: 'unscheduled', phase: 'Pending' },
        { name: 'deleted', phase: 'Pending', deleting: true },
        { name: 'failed', phase: 'Failed' },
      ],
      { deleted: 1, failed: 1 },
      'cpu',
      options,
    );
    expect([...groups.missing]).toEqual(['epicurus']);
    expect([...groups.unready]).toEqual(['unscheduled']);
    expect([...groups.ignored].sort()).toEqual(['deleted', 'failed']);
  });
});

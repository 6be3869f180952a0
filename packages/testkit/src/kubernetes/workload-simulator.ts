import type { FakeWorkload } from './fake-kubernetes';
import type { DeploymentJson, HpaJson, PodJson, PodMetricsJson } from './wire';

/** Options of {@link createWorkloadSimulator}. */
export interface WorkloadSimulatorOptions {
  /** Deployment name. Default `web`. */
  name?: string;
  /** Default `default`. */
  namespace?: string;
  /** Demand in cores per step (e.g. a scaled real trace). Wraps around at the end. */
  trace: readonly number[];
  /** Seconds per step. Default 300 (the bundled traces' resolution). */
  stepSeconds?: number;
  /** Requests of each pod's single container. */
  requestsPerPod: { cpuCores: number; memoryBytes: number };
  /** Per-pod CPU limit; usage is capped there and the excess is reported as unmet demand. */
  cpuLimitCores?: number;
  startReplicas: number;
  /** Steps a new pod spends Pending (not ready, no metrics). Default 1. */
  podStartupSteps?: number;
  /** Relative per-pod noise on the CPU split (standard deviation as a fraction). Default 0. */
  noise?: number;
  /** PRNG seed: same seed, same run. */
  seed: number;
  /** Epoch ms of step 0. Default 2026-03-02T00:00:00Z. */
  startTime?: number;
  /** Pod labels and Deployment selector. Default `{ 'app.kubernetes.io/name': name }`. */
  labels?: Record<string, string>;
  /** Serve an autoscaling/v2 HPA on CPU utilization targeting this Deployment. */
  hpa?: { name?: string; minReplicas: number; maxReplicas: number; targetCpuUtilizationPercent: number };
}

/** A simulated pod. */
export interface SimulatedPod {
  name: string;
  createdStep: number;
  /** Step at which the pod becomes ready. */
  readyStep: number;
  ready: boolean;
  /** Current usage; 0 while not ready (and then it has no metrics). */
  cpuCores: number;
  memoryBytes: number;
}

/** What the simulator looks like at the current step. */
export interface WorkloadSimulatorState {
  step: number;
  /** Epoch ms. */
  time: number;
  demandCores: number;
  /** CPU actually used by ready pods (demand capped by limits, plus noise). */
  usedCores: number;
  /** Demand that no ready pod could serve (no ready pods, or limits reached). */
  unmetDemandCores: number;
  /** `spec.replicas`. */
  desiredReplicas: number;
  readyReplicas: number;
  pods: SimulatedPod[];
}

/** A workload driven by a demand trace; also a {@link FakeWorkload} for the fake API server. */
export interface WorkloadSimulator extends FakeWorkload {
  readonly stepSeconds: number;
  /** Advances one step and returns the new state. */
  step(): WorkloadSimulatorState;
  /** Steps until the clock reaches `time` (epoch ms); returns the state. */
  advanceTo(time: number): WorkloadSimulatorState;
  /** The current state (a copy). */
  current(): WorkloadSimulatorState;
  /** Epoch ms of the current step. */
  now(): number;
}

const podTemplateHash = '7c9d8f6b5d';

/**
 * Simulates a Deployment under a demand trace: total demand (cores) is split across ready pods;
 * pods created by a scale-up stay Pending (not ready, no metrics) for `podStartupSteps` steps;
 * scale-downs remove not-ready pods first, then the newest. Plug it into `startFakeKubernetes`
 * and scale it through the real API (`PATCH …/scale`).
 *
 * @example
 * ```ts
 * const demand = scaleTrace(loadTrace('alibaba-2018-cpu').values, { peak: 6 });
 * const sim = createWorkloadSimulator({ trace: demand, requestsPerPod: { cpuCores: 0.5, memoryBytes: 256 * 2 ** 20 }, startReplicas: 4, seed: 1 });
 * const fake = await startFakeKubernetes({ workloads: [sim] });
 * sim.step(); // five minutes later
 * ```
 */
export function createWorkloadSimulator(options: WorkloadSimulatorOptions): WorkloadSimulator {
  const name = options.name ?? 'web';
  const namespace = options.namespace ?? 'default';
  const stepSeconds = options.stepSeconds ?? 300;
  const startupSteps = Math.max(0, Math.floor(options.podStartupSteps ?? 1));
  const startTime = options.startTime ?? Date.UTC(2026, 2, 2);
  const labels = options.labels ?? { 'app.kubernetes.io/name': name };
  const noise = options.noise ?? 0;
  const { cpuCores: cpuRequest, memoryBytes: memoryRequest } = options.requestsPerPod;
  if (options.trace.length === 0) throw new Error('trace must have at least one step');
  if (!Number.isInteger(options.startReplicas) || options.startReplicas < 0) {
    throw new Error('startReplicas must be a non-negative integer');
  }
  const random = mulberry32(options.seed);
  let step = 0;
  let desired = options.startReplicas;
  let podCounter = 0;
  let pods: SimulatedPod[] = [];
  let demand = 0;
  let used = 0;
  let unmet = 0;
  let hpa: HpaJson | undefined;
  let hpaReplicas = options.startReplicas;

  const timeOf = (index: number) => startTime + index * stepSeconds * 1000;
  const iso = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const newPod = (createdStep: number, readyStep: number): SimulatedPod => {
    podCounter++;
    const suffix = (Math.floor(random() * 36 ** 5) + podCounter).toString(36).padStart(5, '0').slice(-5);
    return {
      name: `${name}-${podTemplateHash}-${suffix}`,
      createdStep,
      readyStep,
      ready: false,
      cpuCores: 0,
      memoryBytes: 0,
    };
  };

  const reconcile = () => {
    while (pods.length < desired) pods.push(newPod(step, step + startupSteps));
    if (pods.length > desired) {
      // Like the ReplicaSet controller: unready pods go first, then the youngest.
      const ordered = [...pods].sort(
        (a, b) => Number(a.ready) - Number(b.ready) || b.createdStep - a.createdStep,
      );
      const remove = new Set(ordered.slice(0, pods.length - desired).map((pod) => pod.name));
      pods = pods.filter((pod) => !remove.has(pod.name));
    }
  };

  const gaussian = () => {
    const u = Math.max(random(), 1e-12);
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  const update = () => {
    const trace = options.trace;
    demand = Math.max(0, trace[step % trace.length] ?? 0);
    for (const pod of pods) pod.ready = step >= pod.readyStep;
    const ready = pods.filter((pod) => pod.ready);
    used = 0;
    for (const pod of pods) {
      if (!pod.ready) {
        pod.cpuCores = 0;
        pod.memoryBytes = 0;
        continue;
      }
      let cpu = (demand / ready.length) * (1 + noise * gaussian());
      cpu = Math.max(0, cpu);
      if (options.cpuLimitCores !== undefined) cpu = Math.min(cpu, options.cpuLimitCores);
      pod.cpuCores = Math.round(cpu * 1e9) / 1e9;
      // Memory: a resident base plus a part that follows load.
      const load = cpuRequest > 0 ? Math.min(2, cpu / cpuRequest) : 0;
      pod.memoryBytes = Math.round(memoryRequest * (0.35 + 0.3 * load));
      used += pod.cpuCores;
    }
    unmet = Math.max(0, demand - used);
  };

  // Step 0: the starting pods have been up for a while.
  for (let index = 0; index < desired; index++) pods.push(newPod(-startupSteps - 1, -1));
  update();

  if (options.hpa) {
    hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: options.hpa.name ?? name, namespace, creationTimestamp: iso(startTime) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: options.hpa.minReplicas,
        maxReplicas: options.hpa.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: options.hpa.targetCpuUtilizationPercent },
            },
          },
        ],
      },
      status: { desiredReplicas: desired },
    };
  }

  const state = (): WorkloadSimulatorState => {
    const ready = pods.filter((pod) => pod.ready).length;
    return {
      step,
      time: timeOf(step),
      demandCores: demand,
      usedCores: Math.round(used * 1e9) / 1e9,
      unmetDemandCores: Math.round(unmet * 1e9) / 1e9,
      desiredReplicas: desired,
      readyReplicas: ready,
      pods: pods.map((pod) => ({ ...pod })),
    };
  };

  const container = () => ({
    name: 'app',
    image: 'ghcr.io/acme/web:1.8.2',
    resources: {
      requests: { cpu: cpuQuantity(cpuRequest), memory: String(Math.round(memoryRequest)) },
      ...(options.cpuLimitCores === undefined ? {} : { limits: { cpu: cpuQuantity(options.cpuLimitCores) } }),
    },
  });

  const simulator: WorkloadSimulator = {
    namespace,
    name,
    stepSeconds,
    step() {
      step++;
      update();
      return state();
    },
    advanceTo(time) {
      while (timeOf(step) < time) {
        step++;
        update();
      }
      return state();
    },
    current: state,
    now: () => timeOf(step),
    setReplicas(replicas) {
      desired = replicas;
      if (replicas !== hpaReplicas && hpa?.status) hpa.status.lastScaleTime = iso(timeOf(step));
      hpaReplicas = replicas;
      reconcile();
      update();
    },
    setHpa(next) {
      hpa = structuredClone(next);
    },
    deployment(): DeploymentJson {
      const ready = pods.filter((pod) => pod.ready).length;
      const status: NonNullable<DeploymentJson['status']> = { observedGeneration: 1 };
      // The API server omits zero-valued status fields.
      if (pods.length > 0) status.replicas = pods.length;
      if (pods.length > 0) status.updatedReplicas = pods.length;
      if (ready > 0) status.readyReplicas = ready;
      if (ready > 0) status.availableReplicas = ready;
      if (pods.length - ready > 0) status.unavailableReplicas = pods.length - ready;
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name,
          namespace,
          uid: `00000000-0000-4000-8000-${hash12(name)}`,
          generation: 1,
          labels,
          creationTimestamp: iso(startTime),
        },
        spec: {
          replicas: desired,
          selector: { matchLabels: { ...labels } },
          template: { metadata: { labels: { ...labels } }, spec: { containers: [container()] } },
        },
        status,
      };
    },
    pods(): PodJson[] {
      return pods.map((pod) => {
        const created = iso(timeOf(Math.max(pod.createdStep, -1_000_000)));
        return {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: pod.name,
            namespace,
            labels: { ...labels, 'pod-template-hash': podTemplateHash },
            creationTimestamp: created,
          },
          spec: { containers: [container()] },
          status: {
            phase: pod.ready ? 'Running' : 'Pending',
            startTime: created,
            conditions: [
              {
                type: 'Ready',
                status: pod.ready ? 'True' : 'False',
                lastTransitionTime: iso(timeOf(pod.ready ? pod.readyStep : pod.createdStep)),
              },
            ],
          },
        };
      });
    },
    podMetrics(): PodMetricsJson[] {
      const now = timeOf(step);
      return pods
        .filter((pod) => pod.ready)
        .map((pod) => ({
          metadata: {
            name: pod.name,
            namespace,
            creationTimestamp: iso(now),
            labels: { ...labels, 'pod-template-hash': podTemplateHash },
          },
          timestamp: iso(now - 5000),
          window: '15s',
          containers: [
            {
              name: 'app',
              usage: {
                cpu: `${Math.round(pod.cpuCores * 1e9)}n`,
                memory: `${Math.round(pod.memoryBytes / 1024)}Ki`,
              },
            },
          ],
        }));
    },
    hpa(): HpaJson | undefined {
      if (!hpa) return undefined;
      const ready = pods.filter((pod) => pod.ready);
      const usage = ready.reduce((sum, pod) => sum + pod.cpuCores, 0);
      const copy = structuredClone(hpa);
      const status: NonNullable<HpaJson['status']> = { ...copy.status, desiredReplicas: desired };
      if (pods.length > 0) status.currentReplicas = pods.length;
      if (ready.length > 0 && cpuRequest > 0) {
        status.currentMetrics = [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              current: {
                averageUtilization: Math.floor((100 * usage) / (cpuRequest * ready.length)),
                averageValue: cpuQuantity(usage / ready.length),
              },
            },
          },
        ];
      }
      copy.status = status;
      return copy;
    },
  };
  return simulator;
}

function cpuQuantity(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function hash12(text: string): string {
  let hash = 2166136261;
  for (const character of text) hash = Math.imul(hash ^ character.charCodeAt(0), 16777619) >>> 0;
  return hash.toString(16).padStart(12, '0').slice(-12);
}

/** Small, fast, seeded PRNG (mulberry32) returning [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

import { CollectorError, ValidationError, type ValidationIssue } from '@ballast/core';
import { AppsV1Api, AutoscalingV2Api } from '@kubernetes/client-node';
import {
  createOperationControl,
  type KubeConfigInput,
  type KubernetesCallOptions,
  loadKubeConfig,
} from './kube-client';

/** The content type of every patch this package sends. */
export const mergePatchContentType = 'application/merge-patch+json';

/** A patch as it is (or would be) sent to the API server. */
export interface PlannedPatch {
  method: 'PATCH';
  /** API path, e.g. `/apis/apps/v1/namespaces/shop/deployments/web/scale`. */
  path: string;
  contentType: typeof mergePatchContentType;
  /** Query parameters: `dryRun: 'All'` for a server-side dry run. */
  query: { dryRun?: 'All' };
  body: Record<string, unknown>;
}

/**
 * How a change was carried out: `dry_run` (nothing sent; the default), `server_dry_run` (sent with
 * `?dryRun=All`: validated and admitted by the API server, never persisted) or `applied`.
 */
export type ExecutionMode = 'dry_run' | 'server_dry_run' | 'applied';

/** Options shared by the executors. */
export interface ExecutorOptions extends KubernetesCallOptions {
  /** A loaded `KubeConfig`, a kubeconfig YAML string, or `undefined` for the default locations. */
  kubeConfig?: KubeConfigInput;
  namespace: string;
  /** Send the patch. Default `false`: nothing is sent and the planned patch is returned. */
  apply?: boolean | undefined;
  /**
   * `'All'` sends the patch as a server-side dry run (`?dryRun=All`), with or without `apply`: the
   * API server validates it (admission, RBAC) but persists nothing.
   */
  dryRun?: 'All' | undefined;
}

/** Options of {@link scaleDeployment}. */
export interface ScaleDeploymentOptions extends ExecutorOptions {
  deployment: string;
  /** New `spec.replicas`: an integer ≥ 1 (≥ 0 with `allowZero`). */
  replicas: number;
  /** Allow scaling to 0 replicas. Default `false`. */
  allowZero?: boolean | undefined;
}

/** The outcome of {@link scaleDeployment}. */
export interface ScaleDeploymentResult {
  mode: ExecutionMode;
  /** Whether a request was sent to the API server. */
  sent: boolean;
  patch: PlannedPatch;
  /** `spec.replicas` read from the scale subresource before patching (only when sent). */
  previousReplicas?: number;
  /** `spec.replicas` in the server's answer (only when sent). */
  replicas?: number;
}

/** Options of {@link patchHpaBounds}. */
export interface PatchHpaBoundsOptions extends ExecutorOptions {
  /** HPA name. */
  hpa: string;
  minReplicas?: number | undefined;
  maxReplicas?: number | undefined;
  /** Allow `minReplicas: 0` (needs the `HPAScaleToZero` feature gate). Default `false`. */
  allowZeroMinReplicas?: boolean | undefined;
}

/** The outcome of {@link patchHpaBounds}. */
export interface PatchHpaBoundsResult {
  mode: ExecutionMode;
  sent: boolean;
  patch: PlannedPatch;
  /** Bounds read from the HPA before patching (only when sent). */
  previous?: { minReplicas: number; maxReplicas: number };
  /** Bounds in the server's answer (only when sent). */
  bounds?: { minReplicas: number; maxReplicas: number };
}

/**
 * Sets a Deployment's replica count through its `scale` subresource with a JSON merge patch
 * `{ spec: { replicas } }`. Dry-run by default: without `apply: true` (or `dryRun: 'All'`) nothing
 * is sent and the planned patch is returned.
 *
 * RBAC: `get` and `patch` on `deployments/scale` (apps).
 *
 * @throws ValidationError when `replicas` is not an integer ≥ 1 (≥ 0 with `allowZero`) or names are empty.
 * @throws CollectorError (source `kubernetes`) when the API server refuses (403 names the resource).
 * @example
 * ```ts
 * const plan = await scaleDeployment({ namespace: 'shop', deployment: 'web', replicas: 6 }); // nothing sent
 * const done = await scaleDeployment({ namespace: 'shop', deployment: 'web', replicas: 6, apply: true });
 * console.log(done.previousReplicas, '→', done.replicas);
 * ```
 */
export async function scaleDeployment(options: ScaleDeploymentOptions): Promise<ScaleDeploymentResult> {
  requireOptions(options, 'scale request');
  const { namespace, deployment, replicas } = options;
  const issues = [...nameIssues('namespace', namespace), ...nameIssues('deployment', deployment)];
  issues.push(...replicaIssues('replicas', replicas, options.allowZero ? 0 : 1));
  throwIfInvalid('scale request', issues);

  const mode = modeOf(options);
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}/scale`;
  const patch = planned(path, { spec: { replicas } }, mode);
  if (mode === 'dry_run') return { mode, sent: false, patch };

  const kubeConfig = loadKubeConfig(options.kubeConfig);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const control = createOperationControl(options);
  const target = { resource: 'deployments.apps/scale', namespace, name: deployment, path };
  try {
    const before = await control.run({ ...target, verb: 'get' }, (requestOptions) =>
      apps.readNamespacedDeploymentScale({ name: deployment, namespace }, requestOptions),
    );
    const after = await control.run(
      { ...target, verb: 'patch' },
      (requestOptions) =>
        apps.patchNamespacedDeploymentScale(
          { name: deployment, namespace, body: patch.body, ...patch.query },
          requestOptions,
        ),
      { contentType: mergePatchContentType },
    );
    return {
      mode,
      sent: true,
      patch,
      ...(before.spec?.replicas === undefined ? {} : { previousReplicas: before.spec.replicas }),
      ...(after.spec?.replicas === undefined ? {} : { replicas: after.spec.replicas }),
    };
  } finally {
    control.dispose();
  }
}

/**
 * Changes an HPA's `minReplicas` and/or `maxReplicas` with a JSON merge patch. Dry-run by default.
 * When the patch is sent, the live HPA is read first so that `min ≤ max` is checked against the
 * bound you did not change.
 *
 * RBAC: `get` and `patch` on `horizontalpodautoscalers` (autoscaling).
 *
 * @throws ValidationError when neither bound is given, a bound is not an integer, `minReplicas` < 1
 *   (without `allowZeroMinReplicas`), `maxReplicas` < 1 or `minReplicas` > `maxReplicas`.
 * @throws CollectorError when the API server refuses.
 * @example
 * ```ts
 * const plan = await patchHpaBounds({ namespace: 'shop', hpa: 'web', maxReplicas: 20 });
 * plan.patch.body; // { spec: { maxReplicas: 20 } }
 * await patchHpaBounds({ namespace: 'shop', hpa: 'web', minReplicas: 3, maxReplicas: 20, apply: true });
 * ```
 */
export async function patchHpaBounds(options: PatchHpaBoundsOptions): Promise<PatchHpaBoundsResult> {
  requireOptions(options, 'HPA bounds');
  const { namespace, hpa, minReplicas, maxReplicas } = options;
  const issues = [...nameIssues('namespace', namespace), ...nameIssues('hpa', hpa)];
  if (minReplicas === undefined && maxReplicas === undefined) {
    issues.push({ path: 'minReplicas', message: 'give minReplicas, maxReplicas or both' });
  }
  if (minReplicas !== undefined) {
    issues.push(...replicaIssues('minReplicas', minReplicas, options.allowZeroMinReplicas ? 0 : 1));
  }
  if (maxReplicas !== undefined) issues.push(...replicaIssues('maxReplicas', maxReplicas, 1));
  issues.push(...boundIssues(minReplicas, maxReplicas));
  throwIfInvalid('HPA bounds', issues);

  const mode = modeOf(options);
  const path = `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${hpa}`;
  const spec: Record<string, number> = {};
  if (minReplicas !== undefined) spec.minReplicas = minReplicas;
  if (maxReplicas !== undefined) spec.maxReplicas = maxReplicas;
  const patch = planned(path, { spec }, mode);
  if (mode === 'dry_run') return { mode, sent: false, patch };

  const kubeConfig = loadKubeConfig(options.kubeConfig);
  const autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
  const control = createOperationControl(options);
  const target = { resource: 'horizontalpodautoscalers.autoscaling', namespace, name: hpa, path };
  try {
    const current = await control.run({ ...target, verb: 'get' }, (requestOptions) =>
      autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace }, requestOptions),
    );
    // A live HPA without a valid maxReplicas is a broken body: checking the new minReplicas against
    // (and reporting) `maxReplicas: 1` sent a patch on a guess. Setting maxReplicas repairs it.
    const liveMax = current.spec?.maxReplicas;
    if (
      maxReplicas === undefined &&
      !(typeof liveMax === 'number' && Number.isSafeInteger(liveMax) && liveMax >= 1)
    )
      throw new CollectorError({
        message: `Kubernetes HPA "${hpa}" in namespace "${namespace}" has no valid spec.maxReplicas (got ${JSON.stringify(liveMax ?? null)}); give maxReplicas too`,
        source: 'kubernetes',
        endpoint: path,
        statusCode: 200,
      });
    const previous = {
      minReplicas: current.spec?.minReplicas ?? 1,
      maxReplicas: current.spec?.maxReplicas ?? 1,
    };
    throwIfInvalid(
      'HPA bounds',
      boundIssues(minReplicas ?? previous.minReplicas, maxReplicas ?? previous.maxReplicas, true),
    );
    const after = await control.run(
      { ...target, verb: 'patch' },
      (requestOptions) =>
        autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { name: hpa, namespace, body: patch.body, ...patch.query },
          requestOptions,
        ),
      { contentType: mergePatchContentType },
    );
    return {
      mode,
      sent: true,
      patch,
      previous,
      bounds: { minReplicas: after.spec?.minReplicas ?? 1, maxReplicas: after.spec?.maxReplicas ?? 1 },
    };
  } finally {
    control.dispose();
  }
}

function modeOf(options: ExecutorOptions): ExecutionMode {
  if (options.dryRun === 'All') return 'server_dry_run';
  return options.apply === true ? 'applied' : 'dry_run';
}

function planned(path: string, body: Record<string, unknown>, mode: ExecutionMode): PlannedPatch {
  return {
    method: 'PATCH',
    path,
    contentType: mergePatchContentType,
    query: mode === 'server_dry_run' ? { dryRun: 'All' } : {},
    body,
  };
}

const dnsName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function nameIssues(path: string, value: string): ValidationIssue[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !dnsName.test(value)) {
    return [{ path, message: 'must be a Kubernetes object name (lowercase letters, digits, - and .)' }];
  }
  return [];
}

/** `spec.replicas` and the HPA bounds are int32 in the API: a larger count could never be stored. */
const maxReplicaCount = 2_147_483_647;

function requireOptions(options: unknown, subject: string): void {
  if (typeof options !== 'object' || options === null)
    throwIfInvalid(subject, [{ path: '(root)', message: 'options are required' }]);
}

function replicaIssues(path: string, value: number, minimum: number): ValidationIssue[] {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return [{ path, message: `must be an integer, got ${String(value)}` }];
  }
  if (value > maxReplicaCount) {
    return [{ path, message: `must be at most ${maxReplicaCount} (int32), got ${value}` }];
  }
  if (value < minimum) {
    return [
      {
        path,
        message:
          minimum === 1 && value === 0
            ? 'must be at least 1 (0 needs an explicit opt-in)'
            : `must be at least ${minimum}, got ${value}`,
      },
    ];
  }
  return [];
}

function boundIssues(min: number | undefined, max: number | undefined, live = false): ValidationIssue[] {
  if (min === undefined || max === undefined) return [];
  if (!Number.isFinite(min) || !Number.isFinite(max) || min <= max) return [];
  return [
    {
      path: 'minReplicas',
      message: `minReplicas (${min}) must not exceed maxReplicas (${max})${live ? ' of the live HPA' : ''}`,
    },
  ];
}

function throwIfInvalid(subject: string, issues: ValidationIssue[]): void {
  if (issues.length === 0) return;
  throw new ValidationError({
    message: `Invalid ${subject}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    issues,
  });
}

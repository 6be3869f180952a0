import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, parseJsonBody, readBody } from '../http/loopback-server';
import { matchesRequirements, parseLabelSelectorQuery, selectorString } from './label-selector-query';
import { applyJsonPatch, applyMergePatch } from './patch';
import type { DeploymentJson, HpaJson, PodJson, PodMetricsJson, ScaleJson, StatusJson } from './wire';

/**
 * A Deployment (and what belongs to it) served by the fake API server. Implemented by
 * {@link createStaticWorkload} (fixed wire JSON) and by the workload simulator.
 */
export interface FakeWorkload {
  readonly namespace: string;
  /** Deployment name. */
  readonly name: string;
  deployment(): DeploymentJson;
  /** Pods owned by the Deployment (the server filters them by the request's `labelSelector`). */
  pods(): PodJson[];
  /** metrics.k8s.io samples; pods without a sample are simply absent, as with metrics-server. */
  podMetrics(): PodMetricsJson[];
  /** The HPA that belongs to this workload, if any (its `scaleTargetRef` may point anywhere). */
  hpa(): HpaJson | undefined;
  /** A persisted change of `spec.replicas` (scale subresource). */
  setReplicas(replicas: number): void;
  /** A persisted HPA patch (the whole patched object). */
  setHpa(hpa: HpaJson): void;
}

/** Wire objects of a {@link createStaticWorkload}. */
export interface StaticWorkloadInit {
  deployment: DeploymentJson;
  hpa?: HpaJson;
  pods?: PodJson[];
  podMetrics?: PodMetricsJson[];
}

/**
 * A workload made of fixed wire JSON (for example recorded from a real cluster). A scale patch
 * changes `spec.replicas` only; pods stay as given.
 *
 * @example
 * ```ts
 * const web = createStaticWorkload({ deployment, hpa, pods, podMetrics });
 * const fake = await startFakeKubernetes({ workloads: [web] });
 * ```
 */
export function createStaticWorkload(init: StaticWorkloadInit): FakeWorkload {
  const deployment = structuredClone(init.deployment);
  let hpa = init.hpa ? structuredClone(init.hpa) : undefined;
  const pods = structuredClone(init.pods ?? []);
  const podMetrics = structuredClone(init.podMetrics ?? []);
  return {
    namespace: deployment.metadata.namespace ?? 'default',
    name: deployment.metadata.name,
    deployment: () => deployment,
    pods: () => pods,
    podMetrics: () => podMetrics,
    hpa: () => hpa,
    setReplicas(replicas) {
      deployment.spec.replicas = replicas;
      deployment.metadata.generation = (deployment.metadata.generation ?? 1) + 1;
    },
    setHpa(next) {
      hpa = next;
    },
  };
}

/** Something the fake does instead of (or before) answering. */
export type FakeKubernetesFault =
  | {
      type: 'status';
      status: number;
      /** Status `reason`; derived from the status code when omitted (403 → Forbidden, …). */
      reason?: string;
      /** Status `message`; a realistic one is generated when omitted (403 names the verb and resource). */
      message?: string;
      headers?: Record<string, string>;
    }
  | { type: 'delay'; ms: number }
  | { type: 'hang' };

/** When a fault applies. */
export interface FakeKubernetesFaultRule {
  /** HTTP method; any when omitted. */
  method?: string;
  /** Exact path or a pattern over the path (without the query). */
  path: string | RegExp;
  fault: FakeKubernetesFault;
  /** How many matching requests it applies to; forever when omitted. */
  times?: number;
}

/** A request the fake received. */
export interface FakeKubernetesRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  contentType: string | undefined;
  /** Parsed JSON body, when there was one. */
  body: unknown;
  receivedAt: number;
}

/** metrics.k8s.io availability: served, `missing` (404: no metrics-server) or `unavailable` (503). */
export type MetricsServerMode = 'available' | 'missing' | 'unavailable';

/** Options of {@link startFakeKubernetes}. */
export interface FakeKubernetesOptions {
  workloads: FakeWorkload[];
  /** Bearer token the client must send; requests without it get 401. Default `fake-token`. */
  token?: string;
  /** Default `available`. */
  metricsServer?: MetricsServerMode;
  /** Default 0 (a free port). Always bound to 127.0.0.1. */
  port?: number;
  /** Namespace of the generated kubeconfig's context. Default `default`. */
  defaultNamespace?: string;
}

/** Live, mutable state of the fake. */
export interface FakeKubernetesState {
  workloads: FakeWorkload[];
  metricsServer: MetricsServerMode;
  /** Finds a workload by namespace and Deployment name. */
  workload(namespace: string, name: string): FakeWorkload | undefined;
}

/** A running fake Kubernetes API server. */
export interface FakeKubernetes {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** A kubeconfig (bearer-token user) pointing at this server, for `KubeConfig.loadFromString`. */
  readonly kubeConfigYaml: string;
  readonly token: string;
  /** Every request received, in order. */
  readonly requests: FakeKubernetesRequest[];
  readonly state: FakeKubernetesState;
  injectFault(rule: FakeKubernetesFaultRule): void;
  clearFaults(): void;
  /** Stops listening and destroys open connections (including hung ones). */
  close(): Promise<void>;
}

const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The group and plural resource a path is about, for realistic error messages. */
interface Route {
  group: string;
  resource: string;
  namespace: string;
  name?: string;
  subresource?: string;
}

const routePattern =
  /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

function routeOf(path: string): Route | undefined {
  const match = routePattern.exec(path);
  if (!match) return undefined;
  return {
    group: match[1] ?? '',
    namespace: decodeURIComponent(match[2]!),
    resource: match[3]!,
    ...(match[4] ? { name: decodeURIComponent(match[4]) } : {}),
    ...(match[5] ? { subresource: match[5] } : {}),
  };
}

/**
 * Starts a fake Kubernetes API server on 127.0.0.1 over plain HTTP that the real
 * `@kubernetes/client-node` reaches through `kubeConfigYaml`. It serves, in the real wire format:
 *
 * - `GET /apis/apps/v1/namespaces/{ns}/deployments[/{name}]`, `GET|PATCH …/deployments/{name}/scale`
 * - `GET /api/v1/namespaces/{ns}/pods?labelSelector=…` (full selector syntax: `=`, `!=`, `in`,
 *   `notin`, exists, `!key`)
 * - `GET /apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers[/{name}]`, `PATCH …/{name}`
 * - `GET /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods[/{name}]` (404 or 503 when the metrics
 *   server is `missing`/`unavailable`)
 *
 * Errors are v1 `Status` objects. PATCH accepts `application/merge-patch+json`,
 * `application/strategic-merge-patch+json` (applied as a merge patch, which is exact for the scalar
 * fields involved) and `application/json-patch+json`; `?dryRun=All` validates without persisting.
 * Faults: a status (403 gets an RBAC-style message), a delay or a hang.
 *
 * @example
 * ```ts
 * const fake = await startFakeKubernetes({ workloads: [createStaticWorkload({ deployment })] });
 * const kc = new KubeConfig();
 * kc.loadFromString(fake.kubeConfigYaml);
 * // … then fake.requests, fake.state.workload('shop', 'web')?.deployment().spec.replicas
 * await fake.close();
 * ```
 */
export async function startFakeKubernetes(options: FakeKubernetesOptions): Promise<FakeKubernetes> {
  const token = options.token ?? 'fake-token';
  const requests: FakeKubernetesRequest[] = [];
  const faults: Array<FakeKubernetesFaultRule & { remaining: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let resourceVersion = 1000;
  let closing = false;
  const state: FakeKubernetesState = {
    workloads: [...options.workloads],
    metricsServer: options.metricsServer ?? 'available',
    workload(namespace, name) {
      return this.workloads.find((workload) => workload.namespace === namespace && workload.name === name);
    },
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const inNamespace = (namespace: string) =>
    state.workloads.filter((workload) => workload.namespace === namespace);
  const stamp = <T extends { metadata: { resourceVersion?: string } }>(object: T): T => {
    const copy = structuredClone(object);
    copy.metadata.resourceVersion ??= String(resourceVersion);
    return copy;
  };
  const list = (kind: string, apiVersion: string, items: unknown[]) => ({
    kind,
    apiVersion,
    metadata: { resourceVersion: String(resourceVersion) },
    items,
  });

  /** One request as the handlers see it. */
  interface Call {
    request: FakeKubernetesRequest;
    response: ServerResponse;
    raw: string;
    method: string;
    contentType: string | undefined;
    route: NonNullable<ReturnType<typeof routeOf>>;
    requirements: ReturnType<typeof parseLabelSelectorQuery>;
    dryRun: boolean;
  }

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const method = incoming.method ?? 'GET';
    const path = url.pathname;
    const contentType = incoming.headers['content-type']?.split(';')[0]?.trim();
    const request: FakeKubernetesRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: incoming.headers,
      contentType,
      body: parseJsonBody(raw),
      receivedAt: Date.now(),
    };
    requests.push(request);
    const route = routeOf(path);

    if (incoming.headers.authorization !== `Bearer ${token}`) {
      return sendStatus(response, 401, 'Unauthorized');
    }
    if (await injectFault(response, method, path, route)) return;

    if (!route) return sendStatus(response, 404, 'the server could not find the requested resource');
    const selectorQuery = url.searchParams.get('labelSelector');
    let requirements: ReturnType<typeof parseLabelSelectorQuery> = [];
    try {
      requirements = selectorQuery ? parseLabelSelectorQuery(selectorQuery) : [];
    } catch (error) {
      return sendStatus(response, 400, `unable to parse requirement: ${(error as Error).message}`);
    }
    const call: Call = {
      request,
      response,
      raw,
      method,
      contentType,
      route,
      requirements,
      dryRun: url.searchParams.get('dryRun') === 'All',
    };
    const { group, resource } = route;
    if (group === 'apps' && resource === 'deployments') return deployments(call);
    if (group === '' && resource === 'pods') return pods(call);
    if (group === 'autoscaling' && resource === 'horizontalpodautoscalers')
      return horizontalPodAutoscalers(call);
    if (group === 'metrics.k8s.io' && resource === 'pods') return podMetrics(call);
    return sendStatus(response, 404, 'the server could not find the requested resource');
  };

  /** Applies the first matching fault rule; `true` when it answered (or hangs) instead of the API. */
  const injectFault = async (
    response: ServerResponse,
    method: string,
    path: string,
    route: ReturnType<typeof routeOf>,
  ): Promise<boolean> => {
    const rule = faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.method === undefined || candidate.method.toUpperCase() === method) &&
        (typeof candidate.path === 'string' ? candidate.path === path : candidate.path.test(path)),
    );
    if (!rule) return false;
    rule.remaining--;
    const fault = rule.fault;
    if (fault.type === 'hang') return true;
    if (fault.type === 'delay') {
      await wait(fault.ms);
      return closing;
    }
    sendStatus(
      response,
      fault.status,
      fault.message ?? defaultMessage(fault.status, method, route),
      fault.reason,
      fault.headers,
    );
    return true;
  };

  /** apps/v1 deployments: list, get, and the `scale` subresource (get, patch). */
  const deployments = ({
    request,
    response,
    raw,
    method,
    contentType,
    route,
    requirements,
    dryRun,
  }: Call) => {
    const { namespace, name, subresource } = route;
    if (!name) {
      if (method !== 'GET') return methodNotAllowed(response);
      const items = inNamespace(namespace)
        .map((workload) => stamp(workload.deployment()))
        .filter((deployment) => matchesRequirements(requirements, deployment.metadata.labels));
      return sendJson(response, 200, list('DeploymentList', 'apps/v1', items));
    }
    const workload = state.workload(namespace, name);
    if (!workload) return notFound(response, 'deployments.apps', name, 'apps', 'deployments');
    if (!subresource) {
      if (method !== 'GET') return methodNotAllowed(response);
      return sendJson(response, 200, stamp(workload.deployment()));
    }
    if (subresource !== 'scale')
      return sendStatus(response, 404, 'the server could not find the requested resource');
    if (method === 'GET') return sendJson(response, 200, scaleOf(workload));
    if (method !== 'PATCH') return methodNotAllowed(response);
    const patched = applyPatch(response, contentType, scaleOf(workload), request.body, raw);
    if (patched === undefined) return;
    const replicas = (patched as ScaleJson).spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      return sendStatus(
        response,
        422,
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      );
    }
    if (!dryRun) {
      workload.setReplicas(replicas);
      resourceVersion++;
    }
    const answer = dryRun ? (patched as ScaleJson) : scaleOf(workload);
    return sendJson(response, 200, answer);
  };

  /** core/v1 pods: list and get. */
  const pods = ({ response, method, route, requirements }: Call) => {
    const { namespace, name } = route;
    if (method !== 'GET') return methodNotAllowed(response);
    const all = inNamespace(namespace).flatMap((workload) => workload.pods());
    if (name) {
      const pod = all.find((candidate) => candidate.metadata.name === name);
      return pod ? sendJson(response, 200, stamp(pod)) : notFound(response, 'pods', name, '', 'pods');
    }
    const items = all
      .filter((pod) => matchesRequirements(requirements, pod.metadata.labels))
      .map((pod) => stamp(pod));
    return sendJson(response, 200, list('PodList', 'v1', items));
  };

  /** autoscaling/v2 horizontalpodautoscalers: list, get, patch (with the API server's bound checks). */
  const horizontalPodAutoscalers = ({ request, response, raw, method, contentType, route, dryRun }: Call) => {
    const { namespace, name } = route;
    const owners = inNamespace(namespace).filter((workload) => workload.hpa() !== undefined);
    if (!name) {
      if (method !== 'GET') return methodNotAllowed(response);
      const items = owners.map((workload) => stamp(workload.hpa()!));
      return sendJson(response, 200, list('HorizontalPodAutoscalerList', 'autoscaling/v2', items));
    }
    const owner = owners.find((workload) => workload.hpa()?.metadata.name === name);
    if (!owner) {
      return notFound(
        response,
        'horizontalpodautoscalers.autoscaling',
        name,
        'autoscaling',
        'horizontalpodautoscalers',
      );
    }
    if (method === 'GET') return sendJson(response, 200, stamp(owner.hpa()!));
    if (method !== 'PATCH') return methodNotAllowed(response);
    const patched = applyPatch(response, contentType, stamp(owner.hpa()!), request.body, raw) as
      | HpaJson
      | undefined;
    if (patched === undefined) return;
    const min = patched.spec?.minReplicas ?? 1;
    const max = patched.spec?.maxReplicas;
    const problems: string[] = [];
    if (!Number.isInteger(min) || min < 1) {
      problems.push(
        `spec.minReplicas: Invalid value: ${JSON.stringify(min)}: must be greater than or equal to 1`,
      );
    }
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
      problems.push(`spec.maxReplicas: Invalid value: ${JSON.stringify(max)}: must be greater than 0`);
    } else if (max < min) {
      problems.push(
        `spec.maxReplicas: Invalid value: ${max}: must be greater than or equal to \`minReplicas\``,
      );
    }
    if (problems.length > 0) {
      return sendStatus(
        response,
        422,
        `HorizontalPodAutoscaler.autoscaling "${name}" is invalid: ${problems.join(', ')}`,
      );
    }
    if (!dryRun) {
      resourceVersion++;
      patched.metadata.resourceVersion = String(resourceVersion);
      owner.setHpa(patched);
    }
    return sendJson(response, 200, patched);
  };

  /** metrics.k8s.io/v1beta1 pods, or the errors of a missing or unavailable metrics server. */
  const podMetrics = ({ response, method, route, requirements }: Call) => {
    const { namespace, name } = route;
    if (state.metricsServer === 'missing') {
      return sendStatus(response, 404, 'the server could not find the requested resource');
    }
    if (state.metricsServer === 'unavailable') {
      return sendStatus(
        response,
        503,
        'the server is currently unable to handle the request',
        'ServiceUnavailable',
      );
    }
    if (method !== 'GET') return methodNotAllowed(response);
    const workloads = inNamespace(namespace);
    const labelsOf = new Map(
      workloads.flatMap((workload) => workload.pods().map((pod) => [pod.metadata.name, pod.metadata.labels])),
    );
    const items = workloads
      .flatMap((workload) => workload.podMetrics())
      .filter((sample) =>
        matchesRequirements(requirements, sample.metadata.labels ?? labelsOf.get(sample.metadata.name)),
      )
      .map((sample) => ({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        ...structuredClone(sample),
      }));
    if (name) {
      const item = items.find((sample) => sample.metadata.name === name);
      return item
        ? sendJson(response, 200, item)
        : notFound(response, 'podmetrics.metrics.k8s.io', name, 'metrics.k8s.io', 'pods');
    }
    return sendJson(response, 200, {
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items,
    });
  };

  const server = await listenOnLoopback({
    port: options.port,
    handle,
    onHandlerError: (response, error) => sendStatus(response, 500, String(error)),
    beforeClose: () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  });
  const { port } = server;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    token,
    kubeConfigYaml: kubeConfigYaml(url, token, options.defaultNamespace ?? 'default'),
    requests,
    state,
    injectFault(rule) {
      faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults.length = 0;
    },
    close() {
      return server.close();
    },
  };
}

/**
 * A kubeconfig for a plain-HTTP API server with a bearer-token user. `insecure-skip-tls-verify`
 * is set because client-node ≥ 1.4 refuses `http:` servers without it.
 */
export function kubeConfigYaml(server: string, token: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: fake',
    '    cluster:',
    `      server: ${server}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: fake-user',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: fake',
    '    context:',
    '      cluster: fake',
    '      user: fake-user',
    `      namespace: ${namespace}`,
    'current-context: fake',
    '',
  ].join('\n');
}

function scaleOf(workload: FakeWorkload): ScaleJson {
  const deployment = workload.deployment();
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: deployment.metadata.name,
      namespace: workload.namespace,
      ...(deployment.metadata.uid ? { uid: deployment.metadata.uid } : {}),
      ...(deployment.metadata.resourceVersion
        ? { resourceVersion: deployment.metadata.resourceVersion }
        : {}),
    },
    spec: { replicas: deployment.spec.replicas ?? 1 },
    status: {
      replicas: deployment.status?.replicas ?? 0,
      selector: selectorString(deployment.spec.selector),
    },
  };
}

/** Applies a PATCH body by content type; answers 415/422 itself and returns undefined on failure. */
function applyPatch(
  response: ServerResponse,
  contentType: string | undefined,
  current: unknown,
  body: unknown,
  raw: string,
): unknown {
  if (body === undefined) {
    sendStatus(response, 400, `the body of the request could not be decoded as JSON: ${raw.slice(0, 60)}`);
    return undefined;
  }
  try {
    switch (contentType) {
      case 'application/merge-patch+json':
      case 'application/strategic-merge-patch+json':
        return applyMergePatch(current, body);
      case 'application/json-patch+json':
        return applyJsonPatch(current, body);
      default:
        sendStatus(
          response,
          415,
          `the server does not support patch content type ${JSON.stringify(contentType ?? '')} in this fake`,
        );
        return undefined;
    }
  } catch (error) {
    sendStatus(response, 422, `the patch could not be applied: ${(error as Error).message}`);
    return undefined;
  }
}

function defaultMessage(status: number, method: string, route: Route | undefined): string {
  if (status === 403 && route) {
    const verb =
      method === 'PATCH' ? 'patch' : method === 'GET' ? (route.name ? 'get' : 'list') : method.toLowerCase();
    const resource = route.subresource ? `${route.resource}/${route.subresource}` : route.resource;
    const qualified = route.group ? `${route.resource}.${route.group}` : route.resource;
    const subject = route.name ? `${qualified} "${route.name}"` : qualified;
    return `${subject} is forbidden: User "system:serviceaccount:ballast:advisor" cannot ${verb} resource "${resource}" in API group "${route.group}" in the namespace "${route.namespace}"`;
  }
  if (status === 404) return 'the server could not find the requested resource';
  if (status === 429) return 'Too many requests, please try again later.';
  if (status === 503) return 'the server is currently unable to handle the request';
  return `fake fault ${status}`;
}

function statusBody(status: number, message: string, reason?: string): StatusJson {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? reasons[status] ?? 'Unknown',
    code: status,
  };
}

function sendStatus(
  response: ServerResponse,
  status: number,
  message: string,
  reason?: string,
  headers: Record<string, string> = {},
) {
  sendJson(response, status, statusBody(status, message, reason), headers);
}

function notFound(response: ServerResponse, qualified: string, name: string, group: string, kind: string) {
  const body = statusBody(404, `${qualified} "${name}" not found`);
  body.details = { name, group, kind };
  sendJson(response, 404, body);
}

function methodNotAllowed(response: ServerResponse) {
  sendStatus(
    response,
    405,
    'the server does not allow this method on the requested resource',
    'MethodNotAllowed',
  );
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

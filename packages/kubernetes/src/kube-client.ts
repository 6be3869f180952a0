import {
  AbortedError,
  CollectorError,
  ConfigError,
  createCallControl,
  redactSecrets,
  TimeoutError,
} from '@ballast/core';
import { ApiException, type ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';

/**
 * Where the Kubernetes credentials come from: a loaded `KubeConfig`, a kubeconfig YAML string, or
 * `undefined` for the default locations (`$KUBECONFIG`, `~/.kube/config`, then the in-cluster
 * service account).
 */
export type KubeConfigInput = KubeConfig | string | undefined;

/** Abort and deadline options accepted by every call of this package. */
export interface KubernetesCallOptions {
  /** Cancels the call; it rejects with `AbortedError`. */
  signal?: AbortSignal | undefined;
  /** Deadline for the whole operation (all its requests); it rejects with `TimeoutError`. */
  timeoutMs?: number | undefined;
}

/**
 * Loads a {@link KubeConfigInput} into a `KubeConfig`.
 *
 * @throws ConfigError when the YAML cannot be parsed or has no current cluster, or `input` is neither
 *   a `KubeConfig`, a string nor `undefined`.
 * @example
 * ```ts
 * const kc = loadKubeConfig(process.env.KUBECONFIG_YAML); // or loadKubeConfig(undefined) for the defaults
 * ```
 */
export function loadKubeConfig(input: KubeConfigInput): KubeConfig {
  if (input instanceof KubeConfig) return ensureCluster(input);
  // Only `undefined` means "the default locations": a number, `null` or a parsed YAML object used
  // to load ~/.kube/config silently — on a workstation, whatever cluster is current.
  if (input !== undefined && typeof input !== 'string')
    throw new ConfigError({
      message: `Invalid kubeconfig: expected a KubeConfig, a kubeconfig YAML string or undefined, got ${
        input === null ? 'null' : typeof input
      }`,
      issues: [
        { path: 'kubeConfig', message: 'must be a KubeConfig, a kubeconfig YAML string or undefined' },
      ],
    });
  const config = new KubeConfig();
  try {
    if (typeof input === 'string') config.loadFromString(input);
    else config.loadFromDefault();
  } catch (error) {
    throw new ConfigError({
      message: `Invalid kubeconfig: ${error instanceof Error ? redactSecrets(error.message) : 'unreadable'}`,
      issues: [{ path: 'kubeConfig', message: 'could not be loaded' }],
      cause: error,
    });
  }
  return ensureCluster(config);
}

function ensureCluster(config: KubeConfig): KubeConfig {
  if (!config.getCurrentCluster()) {
    throw new ConfigError({
      message: 'The kubeconfig has no current cluster (check current-context)',
      issues: [{ path: 'kubeConfig.current-context', message: 'no cluster for the current context' }],
    });
  }
  return config;
}

/** The API server URL of the current context, without credentials. */
export function serverUrl(config: KubeConfig): string | undefined {
  const server = config.getCurrentCluster()?.server;
  if (!server) return undefined;
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

/** What a request was about, to name it in errors. */
export interface RequestTarget {
  verb: 'get' | 'list' | 'patch';
  /** Plural resource, with its group: `deployments.apps`, `pods`, `pods.metrics.k8s.io`. */
  resource: string;
  namespace: string;
  name?: string | undefined;
  /** URL path, for `CollectorError.endpoint`. */
  path: string;
}

/** @internal One operation's abort control plus the per-request client options that carry it. */
export interface OperationControl {
  readonly signal: AbortSignal;
  options(extra?: { contentType?: string }): ConfigurationOptions;
  /** Runs one request, converting any failure into a Ballast error. */
  run<T>(
    target: RequestTarget,
    call: (options: ConfigurationOptions) => Promise<T>,
    extra?: { contentType?: string },
  ): Promise<T>;
  dispose(): void;
}

/** @internal */
export function createOperationControl(options: KubernetesCallOptions): OperationControl {
  const control = createCallControl({
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const requestOptions = (extra: { contentType?: string } = {}): ConfigurationOptions => {
    // client-node 1.x's object-parameter API runs per-call middleware on its internal Observable stub,
    // which only needs `toPromise()`; its exported helpers do not fit that path, so build one here.
    const observable = <T>(value: T) => ({
      toPromise: () => Promise.resolve(value),
      pipe: (next: (input: T) => unknown) => observable(next(value)),
    });
    const middleware = {
      pre: (context: {
        setSignal(signal: AbortSignal): void;
        setHeaderParam(key: string, value: string): void;
      }) => {
        context.setSignal(control.signal);
        if (extra.contentType) context.setHeaderParam('Content-Type', extra.contentType);
        return observable(context);
      },
      post: (context: unknown) => observable(context),
    };
    return { middleware: [middleware], middlewareMergeStrategy: 'append' } as unknown as ConfigurationOptions;
  };
  return {
    signal: control.signal,
    options: requestOptions,
    async run(target, call, extra) {
      const failure = control.failure();
      if (failure) throw failure;
      try {
        return await Promise.race([call(requestOptions(extra)), control.aborted]);
      } catch (error) {
        throw control.failure() ?? toCollectorError(error, target);
      }
    },
    dispose: () => control.dispose(),
  };
}

/**
 * Converts a client-node failure into a `CollectorError` (source `kubernetes`) naming the resource:
 * 403 explains the missing RBAC permission, 404 the missing object, 401 the credentials;
 * 429/5xx and network failures are retryable. Ballast errors pass through.
 */
export function toCollectorError(error: unknown, target: RequestTarget): Error {
  if (AbortedError.isInstance(error) || TimeoutError.isInstance(error) || CollectorError.isInstance(error)) {
    return error;
  }
  const object = target.name
    ? `${target.resource} "${target.name}" in namespace "${target.namespace}"`
    : `${target.resource} in namespace "${target.namespace}"`;
  if (error instanceof ApiException) {
    const status = error.code;
    const detail = statusMessage(error.body);
    let message: string;
    if (status === 403) {
      message = `Forbidden: RBAC does not allow "${target.verb}" on ${object}; grant ${target.verb} on ${target.resource}`;
    } else if (status === 404) {
      message = `Not found: ${object}`;
    } else if (status === 401) {
      message = `Unauthorized: the API server rejected the credentials while trying to ${target.verb} ${object}`;
    } else {
      message = `Kubernetes API answered ${status} to ${target.verb} ${object}`;
    }
    const retryAfter = Number(error.headers?.['retry-after']);
    return new CollectorError({
      message: detail ? `${message}: ${detail}` : message,
      source: 'kubernetes',
      endpoint: target.path,
      statusCode: status,
      isRetryable: status === 429 || status >= 500 || status === 409,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
      cause: error,
    });
  }
  const reason = error instanceof Error ? redactSecrets(error.message) : String(error);
  return new CollectorError({
    message: `Could not ${target.verb} ${object}: ${reason}`,
    source: 'kubernetes',
    endpoint: target.path,
    isRetryable: true,
    cause: error,
  });
}

/** The HTTP status of a client-node failure, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (CollectorError.isInstance(error)) return error.statusCode;
  return undefined;
}

function statusMessage(body: unknown): string | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.length > 0 ? redactSecrets(body.slice(0, 300)) : undefined;
    }
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  ) {
    return redactSecrets((value as { message: string }).message.slice(0, 300));
  }
  return undefined;
}

import type { ScalingAdvice } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { useBallastClient } from '../client/ballast-context';
import { useQueryStore } from './use-query-store';

/** Which deployment to advise on, and how often. */
export interface ScalingAdviceOptions {
  cluster: string;
  deployment: string;
  /** Default `default`. */
  namespace?: string;
  /** Re-evaluate every `intervalMs` (default 60 000; 0: no polling). */
  intervalMs?: number;
  client?: BallastClient;
}

/** What {@link useScalingAdvice} returns. */
export interface ScalingAdviceState {
  advice: ScalingAdvice | undefined;
  error: Error | undefined;
  isLoading: boolean;
  isRefreshing: boolean;
  refresh: () => Promise<ScalingAdvice | undefined>;
}

/**
 * Replica advice for one deployment (`GET /api/autoscaling/recommendations/:cluster`): the chosen
 * answer with confidence, reasoning, risk, impact and timing, and the HPA, forecast and LLM answers
 * it was chosen from (the rule-based answer whenever the model is absent or invalid).
 *
 * @example
 * ```tsx
 * const { advice } = useScalingAdvice({ cluster: 'prod', namespace: 'shop', deployment: 'web' });
 * ```
 */
export function useScalingAdvice(options: ScalingAdviceOptions): ScalingAdviceState {
  const client = useBallastClient(options.client);
  const namespace = options.namespace ?? 'default';
  const intervalMs = options.intervalMs ?? 60_000;
  const path = `/api/autoscaling/recommendations/${encodeURIComponent(options.cluster)}`;
  const { snapshot, refresh } = useQueryStore(
    `${client.baseUrl}|${path}|${namespace}|${options.deployment}|${intervalMs}`,
    () => ({
      intervalMs,
      load: (signal) =>
        client.request<ScalingAdvice>(path, {
          query: { deployment: options.deployment, namespace },
          signal,
        }),
    }),
  );
  return {
    advice: snapshot.data,
    error: snapshot.error,
    isLoading: snapshot.isLoading,
    isRefreshing: snapshot.isRefreshing,
    refresh,
  };
}

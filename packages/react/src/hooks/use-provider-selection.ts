import { useRef } from 'react';
import type { ProviderSelection, SelectionRequest } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { useBallastClient } from '../client/ballast-context';
import { useQueryStore } from './use-query-store';

/** Options of {@link useProviderSelection}: the selection constraints, polling, the client. */
export interface ProviderSelectionOptions extends Omit<SelectionRequest, 'modelType'> {
  /** Re-select every `intervalMs` (default 0: only on mount and on `selectProvider`). */
  intervalMs?: number;
  client?: BallastClient;
}

/** What {@link useProviderSelection} returns (the seed's `{ provider, model, score, selectProvider }`). */
export interface ProviderSelectionState {
  provider: string | undefined;
  model: string | undefined;
  score: number | undefined;
  /** The whole answer: target, why, strategy, expected cost. */
  selection: ProviderSelection | undefined;
  error: Error | undefined;
  isLoading: boolean;
  /** Asks the balancer again (e.g. before each call). */
  selectProvider: () => Promise<ProviderSelection | undefined>;
}

/**
 * Which provider and model the balancer would route a `modelType` call to now, and why. The Next.js
 * seed's `useProviderSelection('chat')`, over `POST /api/load-balancing/select`.
 *
 * @example
 * ```tsx
 * const { provider, model, score, selectProvider } = useProviderSelection('chat', { maxLatency: 2000 });
 * ```
 */
export function useProviderSelection(
  modelType = 'chat',
  options: ProviderSelectionOptions = {},
): ProviderSelectionState {
  const client = useBallastClient(options.client);
  const { intervalMs = 0, client: _client, ...constraints } = options;
  const request: SelectionRequest = { modelType, ...constraints };
  const key = `${client.baseUrl}|${intervalMs}|${JSON.stringify(request)}`;
  const latest = useRef(request);
  latest.current = request;
  const { snapshot, refresh } = useQueryStore(key, () => ({
    intervalMs,
    load: (signal) =>
      client.request<ProviderSelection>('/api/load-balancing/select', { body: latest.current, signal }),
  }));
  return {
    provider: snapshot.data?.provider,
    model: snapshot.data?.model,
    score: snapshot.data?.score,
    selection: snapshot.data,
    error: snapshot.error,
    isLoading: snapshot.isLoading,
    selectProvider: refresh,
  };
}

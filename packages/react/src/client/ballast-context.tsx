import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { type BallastClient, type BallastClientOptions, createBallastClient } from './ballast-client';

const BallastClientContext = createContext<BallastClient | undefined>(undefined);

/** Props of {@link BallastProvider}: a ready client, or the options to make one. */
export type BallastProviderProps = { children?: ReactNode } & (
  | { client: BallastClient }
  | (BallastClientOptions & { client?: undefined })
);

/**
 * Gives every Ballast hook and component below it one client: the base URL of the handlers, the
 * `fetch` and the headers. Without a provider the hooks use the page's own origin.
 *
 * @example
 * ```tsx
 * <BallastProvider baseUrl="https://ops.example.com/ballast" headers={{ authorization: `Bearer ${key}` }}>
 *   <PerformanceDashboard />
 * </BallastProvider>
 * ```
 */
export function BallastProvider(props: BallastProviderProps) {
  const { children, client, baseUrl, fetch, headers } = props as BallastClientOptions & {
    client?: BallastClient;
    children?: ReactNode;
  };
  const value = useMemo(
    () =>
      client ??
      createBallastClient({
        ...(baseUrl === undefined ? {} : { baseUrl }),
        ...(fetch === undefined ? {} : { fetch }),
        ...(headers === undefined ? {} : { headers }),
      }),
    [client, baseUrl, fetch, headers],
  );
  return <BallastClientContext.Provider value={value}>{children}</BallastClientContext.Provider>;
}

let defaultClient: BallastClient | undefined;

/**
 * The client of the nearest {@link BallastProvider}, else `override`, else a same-origin client.
 *
 * @example
 * ```ts
 * const client = useBallastClient();
 * ```
 */
export function useBallastClient(override?: BallastClient): BallastClient {
  const fromContext = useContext(BallastClientContext);
  if (override) return override;
  if (fromContext) return fromContext;
  defaultClient ??= createBallastClient();
  return defaultClient;
}

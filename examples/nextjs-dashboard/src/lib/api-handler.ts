import { getBallastRuntime } from './ballast-runtime';

/**
 * The route handlers' one function: the request goes to the gateway's Web-standard handler as it
 * is. `BALLAST_E2E_BREAK_API=1` makes every API call answer 500 instead: the e2e suite's proof
 * that it fails when the API fails.
 */
export async function ballastApi(request: Request): Promise<Response> {
  if (process.env.BALLAST_E2E_BREAK_API === '1')
    return Response.json(
      { error: { code: 'internal_error', message: 'API broken on purpose (BALLAST_E2E_BREAK_API=1)' } },
      { status: 500 },
    );
  const runtime = await getBallastRuntime();
  return runtime.gateway.fetch(request);
}

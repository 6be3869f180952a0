import { z } from 'zod';
import { getBallastRuntime } from '../../../../lib/ballast-runtime';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const faultSchema = z.object({ provider: z.string().min(1).max(40), down: z.boolean() }).strict();

/**
 * The demo's failure switch: `{ provider, down }` makes a fake provider answer 503 to every call
 * (or recovers it). Only exists on the fakes: with real keys it answers 404.
 */
export async function POST(request: Request): Promise<Response> {
  const runtime = await getBallastRuntime();
  if (runtime.mode.llm !== 'fakes')
    return Response.json({ error: { code: 'not_found', message: 'No fakes to break' } }, { status: 404 });
  const parsed = faultSchema.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success)
    return Response.json(
      {
        error: {
          code: 'validation_failed',
          message: 'Expected { provider, down }',
          issues: parsed.error.issues,
        },
      },
      { status: 400 },
    );
  if (!runtime.setProviderDown(parsed.data.provider, parsed.data.down))
    return Response.json(
      { error: { code: 'not_found', message: `No fake provider ${parsed.data.provider}` } },
      { status: 404 },
    );
  return Response.json({ provider: parsed.data.provider, down: parsed.data.down });
}

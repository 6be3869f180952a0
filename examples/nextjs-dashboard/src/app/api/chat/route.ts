import { createBallastLanguageModel, readBallastMetadata } from '@ballast/ai-sdk';
import { convertToModelMessages, streamText, type UIMessage } from 'ai';
import { getBallastRuntime } from '../../../lib/ballast-runtime';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * `useChat`'s endpoint: the AI SDK's `streamText` over the whole Ballast balancer, so every turn is
 * routed, failed over and measured by Ballast. The route (which target served, every attempt)
 * travels to the page as message metadata.
 */
export async function POST(request: Request): Promise<Response> {
  if (process.env.BALLAST_E2E_BREAK_API === '1')
    return Response.json(
      { error: { code: 'internal_error', message: 'API broken on purpose' } },
      { status: 500 },
    );
  const { messages } = (await request.json()) as { messages: UIMessage[] };
  const { gateway } = await getBallastRuntime();
  const result = streamText({
    model: createBallastLanguageModel(gateway.balancer),
    system: 'You are the Ballast demo assistant. Answer briefly.',
    messages: await convertToModelMessages(messages),
    abortSignal: request.signal,
    // Ballast retries and fails over; a second retry layer would only hide that.
    maxRetries: 0,
  });
  return result.toUIMessageStreamResponse({
    messageMetadata: ({ part }) => {
      if (part.type !== 'finish-step') return undefined;
      const route = readBallastMetadata(part.providerMetadata)?.route;
      return route ? { route } : undefined;
    },
  });
}

import { ballastApi } from '../../../lib/api-handler';

// The OpenAI-compatible gateway (/v1/chat/completions, /v1/models), same handler.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
export const GET = ballastApi;
export const POST = ballastApi;

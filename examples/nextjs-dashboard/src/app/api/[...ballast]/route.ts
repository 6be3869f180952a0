import { ballastApi } from '../../../lib/api-handler';

// Every /api/* route of @ballast/server (load balancing, monitoring, alerts, ProxBalance advice,
// migrations, autoscaling, config) is the gateway's own handler.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
export const GET = ballastApi;
export const POST = ballastApi;
export const PUT = ballastApi;

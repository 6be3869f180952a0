import { autoscalingReplay } from '../../lib/autoscaling-replay';
import { ReplayView } from './replay-view';

export const metadata = { title: 'Autoscaling · Ballast' };
export const dynamic = 'force-dynamic';

export default async function AutoscalingPage() {
  const replay = await autoscalingReplay();
  return (
    <>
      <h1 style={{ margin: 0 }}>Autoscaling</h1>
      <p style={{ margin: 0 }}>
        The live recommendation comes from <code>GET /api/autoscaling/recommendations/demo</code> (fake
        Kubernetes API); the replay below runs the HPA’s replica maths and Ballast’s forecast-aware policy
        over the same trace.
      </p>
      <ReplayView replay={replay} />
    </>
  );
}

import { Panel } from './panel';

export const metadata = { title: 'Migrations · Ballast' };

export default function MigrationsPage() {
  return (
    <>
      <h1 style={{ margin: 0 }}>Migrations</h1>
      <p style={{ margin: 0 }}>
        ProxBalance-compatible advice from <code>POST /api/ai-recommendations</code>. “Apply…” runs a dry run
        (preconditions only); nothing moves until you confirm.
      </p>
      <Panel />
    </>
  );
}

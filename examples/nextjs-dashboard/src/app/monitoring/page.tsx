import { Dashboard } from './dashboard';

export const metadata = { title: 'Monitoring · Ballast' };

export default function MonitoringPage() {
  return (
    <>
      <h1 style={{ margin: 0 }}>Monitoring</h1>
      <p style={{ margin: 0 }}>
        A load generator sends a few chat calls per second through the gateway; the dashboard refreshes every
        2 s while this tab is visible.
      </p>
      <Dashboard />
    </>
  );
}

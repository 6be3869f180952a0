import Link from 'next/link';
import type { ReactNode } from 'react';
import { getBallastRuntime } from '../lib/ballast-runtime';
import { HydrationMarker } from './hydration-marker';

export const metadata = {
  title: 'Ballast dashboard',
  description: 'Ballast on Next.js: LLM routing, migrations, autoscaling',
};
export const dynamic = 'force-dynamic';

const pages = [
  ['/monitoring', 'Monitoring'],
  ['/migrations', 'Migrations'],
  ['/autoscaling', 'Autoscaling'],
  ['/chat', 'Chat'],
  ['/avi', 'Avi'],
] as const;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { mode } = await getBallastRuntime();
  return (
    <html lang="en" style={{ colorScheme: 'light dark' }}>
      <body
        style={{
          margin: 0,
          fontFamily: 'system-ui, sans-serif',
          background: 'Canvas',
          color: 'CanvasText',
        }}
      >
        <header
          style={{
            display: 'flex',
            gap: 16,
            alignItems: 'center',
            padding: '12px 24px',
            borderBottom: '1px solid color-mix(in srgb, CanvasText 15%, transparent)',
          }}
        >
          <Link href="/" style={{ fontWeight: 700, color: 'inherit', textDecoration: 'none' }}>
            Ballast
          </Link>
          <nav aria-label="Pages">
            <ul style={{ display: 'flex', gap: 12, listStyle: 'none', margin: 0, padding: 0 }}>
              {pages.map(([href, label]) => (
                <li key={href}>
                  <Link href={href}>{label}</Link>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        {mode.llm === 'fakes' || mode.proxmox === 'simulated' ? (
          <aside
            aria-label="Data sources"
            data-testid="fakes-banner"
            style={{
              padding: '8px 24px',
              background: 'color-mix(in srgb, #d97706 18%, Canvas)',
              fontSize: 14,
            }}
          >
            <strong>Demo mode — testkit fakes.</strong> {mode.notes.join(' ')}
          </aside>
        ) : null}
        <HydrationMarker />
        <main style={{ padding: 24, display: 'grid', gap: 24, maxWidth: 1200, margin: '0 auto' }}>
          {children}
        </main>
      </body>
    </html>
  );
}

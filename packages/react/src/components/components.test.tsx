// @vitest-environment jsdom
import {
  cleanup,
  configure,
  fireEvent,
  render,
  renderHook,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBallastClient } from '../client/ballast-client';
import { BallastProvider } from '../client/ballast-context';
import { type GatewayProcess, sendChat, startGatewayProcess } from '../gateway-process.test-helper';
import { useProviderSelection } from '../hooks/use-provider-selection';
import { MigrationAdvicePanel } from './migration-advice-panel';
import { PerformanceDashboard } from './performance-dashboard';

// Wait for events, not time: a loaded machine may take seconds to answer, so waits are generous.
configure({ asyncUtilTimeout: 15_000 });

let fixture: GatewayProcess;

beforeAll(async () => {
  fixture = await startGatewayProcess();
  await sendChat(fixture.url);
  await sendChat(fixture.url);
  // Starting a Node process that compiles the server with tsx takes seconds, and far longer while
  // the e2e suite builds the Next.js app beside it: wait for its address, however long it takes.
}, 180_000);
afterAll(async () => fixture?.close());
afterEach(cleanup);

describe('PerformanceDashboard', () => {
  it('shows totals, the per-provider table with circuit state and the charts from the real handlers', async () => {
    render(
      <BallastProvider baseUrl={fixture.url}>
        <PerformanceDashboard autoRefreshInterval={0} className="host-class" />
      </BallastProvider>,
    );
    const region = screen.getByRole('region', { name: 'LLM performance' });
    expect(region.className).toBe('host-class');
    const table = await screen.findByRole('table', { name: 'By provider' });
    const row = within(table).getByRole('row', { name: /openai/ });
    expect(within(row).getByText('closed')).toBeTruthy();
    expect(within(row).getByText('100.0 %')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'p95 latency by provider' })).toBeTruthy();
    expect(screen.getByRole('table', { name: 'By model' }).textContent).toContain('openai:gpt-4o-mini');
  });

  it('refreshes on the button: new calls show up', async () => {
    render(
      <PerformanceDashboard autoRefreshInterval={0} client={createBallastClient({ baseUrl: fixture.url })} />,
    );
    const requestsCell = async () => {
      const table = await screen.findByRole('table', { name: 'By provider' });
      return within(within(table).getByRole('row', { name: /openai/ })).getAllByRole('cell')[2]?.textContent;
    };
    const before = Number(await requestsCell());
    await sendChat(fixture.url);
    // The gateway books a call just after its answer leaves, so a refresh may land before the
    // booking: click again on every retry until the new call shows up.
    await waitFor(
      async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
        expect(Number(await requestsCell())).toBe(before + 1);
      },
      { interval: 250 },
    );
  });

  it('shows the server’s error in an alert when the API fails', async () => {
    render(
      <PerformanceDashboard
        autoRefreshInterval={0}
        client={createBallastClient({ baseUrl: `${fixture.url}/nowhere` })}
      />,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Could not load performance/);
    expect(screen.queryByRole('table')).toBeNull();
  });
});

describe('useProviderSelection', () => {
  it('answers the balancer’s provider, model and score', async () => {
    const client = createBallastClient({ baseUrl: fixture.url });
    const { result } = renderHook(() => useProviderSelection('chat', { client }));
    expect(result.current.isLoading).toBe(true);
    await waitFor(() => expect(result.current.provider).toBe('openai'));
    expect(result.current.model).toBe('gpt-4o-mini');
    expect(typeof result.current.score).toBe('number');
    const again = await result.current.selectProvider();
    expect(again?.targetId).toBe(result.current.selection?.targetId);
  });
});

describe('MigrationAdvicePanel', () => {
  it('shows node loads and reasons, dry-runs on Apply, and moves the guest only after Confirm', async () => {
    render(<MigrationAdvicePanel client={createBallastClient({ baseUrl: fixture.url })} />);
    const meters = await screen.findAllByRole('meter', undefined, { timeout: 15_000 });
    expect(meters.length).toBe(8); // four nodes, before and after
    const first = (await screen.findAllByRole('article'))[0]!;
    const [, vmid, , source, target] =
      /^Move (.+?) from (\S+) to (\S+)$/.exec(first.getAttribute('aria-label') ?? '') ?? [];
    expect(vmid ?? source ?? target).toBeTruthy();
    fireEvent.click(within(first).getByRole('button', { name: 'Apply…' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Confirm migration' });
    await within(dialog).findByText(/Dry run: preconditions pass/, undefined, { timeout: 15_000 });
    expect(await fixture.migrationTasks()).toBe(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm migration' }));
    await screen.findByText(/Migration applied: 1 succeeded/, undefined, { timeout: 15_000 });
    expect(await fixture.migrationTasks()).toBeGreaterThan(0);
  });

  it('cancels without moving anything', async () => {
    const tasksBefore = await fixture.migrationTasks();
    render(<MigrationAdvicePanel client={createBallastClient({ baseUrl: fixture.url })} />);
    const first = (await screen.findAllByRole('article', undefined, { timeout: 15_000 }))[0]!;
    fireEvent.click(within(first).getByRole('button', { name: 'Apply…' }));
    const dialog = await screen.findByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(await fixture.migrationTasks()).toBe(tasksBefore);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDirectory, e2eAvailability, type RunningApp, startApp } from './next-app.test-helper';

// Real-browser end-to-end tests of the production build: `next build`, `next start`, Debian's
// Chromium through playwright-core. Each test waits for what the page shows (events), never for time.
const availability = e2eAvailability();
if (!availability.run) console.warn(`e2e skipped: ${availability.reason}`);

/** A generous bound for anything the page must show: a loaded 2-core machine is slow, not wrong. */
const patience = 60_000;

describe.skipIf(!availability.run)('Next.js dashboard in Chromium', { timeout: 240_000 }, () => {
  let app: RunningApp;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    app = await startApp();
  }, 600_000);
  afterAll(async () => {
    await app?.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await app.browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    await page.goto(app.url + path, { waitUntil: 'domcontentloaded', timeout: patience });
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: patience });
    return page;
  }
  /**
   * Waits until `target` shows, failing at once with the page's own words if it shows an error
   * alert instead (the API failing is a failure, not a slow page).
   */
  async function showsData(page: Page, target: ReturnType<Page['getByRole']>): Promise<void> {
    // Inside <main>: Next.js's own route announcer is an (empty) alert too.
    const alert = page.locator('main').getByRole('alert').first();
    const outcome = await Promise.race([
      target
        .first()
        .waitFor({ timeout: patience })
        .then(() => 'data' as const),
      alert.waitFor({ timeout: patience }).then(() => 'alert' as const),
    ]);
    if (outcome === 'alert')
      throw new Error(`${page.url()} shows an error instead of data: ${await alert.textContent()}`);
  }
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: join(artifactsDirectory, `${name}.png`), fullPage: true });

  it('says on every page that it runs on the testkit fakes', async () => {
    const page = await open('/');
    await page.getByTestId('fakes-banner').waitFor({ timeout: patience });
    expect(await page.getByTestId('fakes-banner').textContent()).toMatch(/testkit fakes/);
    await page.close();
  });

  it('/monitoring shows live data from the load generator and refreshes by itself', async () => {
    const page = await open('/monitoring');
    const providers = page.getByRole('table', { name: 'By provider' });
    await showsData(page, providers);
    for (const provider of ['openai', 'anthropic', 'ollama'])
      await providers.getByRole('row', { name: new RegExp(provider) }).waitFor({ timeout: patience });
    await page.getByRole('img', { name: 'p95 latency by provider' }).waitFor({ timeout: patience });
    const requestsTotal = async () =>
      Number(((await page.locator('dt:text-is("Requests") + dd').textContent()) ?? '').replace(/\s/g, ''));
    const status = page.getByRole('region', { name: /LLM performance/ }).getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: patience }).toMatch(/Updated/);
    const firstUpdate = await status.textContent();
    const firstTotal = await requestsTotal();
    expect(firstTotal).toBeGreaterThan(0);
    // The dashboard polls every 2 s: a later "Updated" stamp and more requests, without a reload.
    await expect.poll(() => status.textContent(), { timeout: patience }).not.toBe(firstUpdate);
    await expect.poll(requestsTotal, { timeout: patience }).toBeGreaterThan(firstTotal);
    await screenshot(page, 'monitoring');
    await page.close();
  });

  it('/migrations applies a recommended migration only after the dry run and the confirm', async () => {
    const page = await open('/migrations');
    const first = page.getByRole('article').first();
    await showsData(page, page.getByRole('article'));
    await page.getByRole('meter').first().waitFor({ timeout: patience });
    const move = await first.getAttribute('aria-label');
    expect(move).toMatch(/^Move .+ from \S+ to \S+$/);
    await first.getByRole('button', { name: 'Apply…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm migration' });
    await dialog.getByText(/Dry run: preconditions pass/).waitFor({ timeout: patience });
    await screenshot(page, 'migrations-confirm');
    await dialog.getByRole('button', { name: 'Confirm migration' }).click();
    await page.getByText(/Migration applied: 1 succeeded, 0 failed/).waitFor({ timeout: patience });
    // The advice is reloaded after the move: the applied move is no longer the first one proposed.
    await expect
      .poll(async () => page.getByRole('article').first().getAttribute('aria-label'), { timeout: patience })
      .not.toBe(move);
    await screenshot(page, 'migrations-applied');
    await page.close();
  });

  it('/autoscaling shows the live recommendation and the HPA-vs-Ballast replay', async () => {
    const page = await open('/autoscaling');
    const card = page.getByRole('region', { name: 'Scaling advice for shop/web on demo' });
    await showsData(page, card.getByRole('table', { name: 'Candidates' }));
    await card
      .getByText(/replicas/)
      .first()
      .waitFor({ timeout: patience });
    expect(await card.textContent()).toMatch(/(Scale up|Scale down|Keep|At maximum): \d+ → \d+ replicas/);
    const replay = page.getByRole('table', { name: /Back-test/ });
    await replay.getByRole('row', { name: /HPA/ }).waitFor({ timeout: patience });
    await replay.getByRole('row', { name: /Ballast/ }).waitFor({ timeout: patience });
    await screenshot(page, 'autoscaling');
    await page.close();
  });

  it('/chat streams through useChat and keeps answering when the serving provider fails mid-session', async () => {
    const page = await open('/chat');
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.waitFor({ timeout: patience });
    const assistant = page.locator('li[data-role="assistant"]');
    // Record every distinct text the first answer shows: a stream shows it growing.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { seenTexts: Set<string> }).seenTexts = seen;
      new MutationObserver(() => {
        const text = document.querySelector(
          'li[data-role="assistant"] [data-testid="message-text"]',
        )?.textContent;
        if (text) seen.add(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await input.fill('hello from the e2e suite');
    await page.getByRole('button', { name: 'Send' }).click();
    await showsData(page, page.getByTestId('served-by'));
    const firstServedBy = (await assistant.first().getByTestId('served-by').textContent()) ?? '';
    expect(await assistant.first().getByTestId('message-text').textContent()).toMatch(
      /You said: hello from the e2e suite/,
    );
    const distinctTexts = await page.evaluate(
      () => (window as unknown as { seenTexts: Set<string> }).seenTexts.size,
    );
    expect(distinctTexts).toBeGreaterThan(1);
    // The provider that served the first turn goes down; the next turn must still be answered.
    const provider = firstServedBy.split(':')[0] ?? '';
    expect(['openai', 'anthropic', 'ollama']).toContain(provider);
    await page.getByRole('button', { name: `Take ${provider} down` }).click();
    await page.getByRole('button', { name: `Bring ${provider} back` }).waitFor({ timeout: patience });
    await input.fill('are you still there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await showsData(page, assistant.nth(1).getByTestId('served-by'));
    expect(await assistant.nth(1).getByTestId('message-text').textContent()).toMatch(
      /You said: are you still there\?/,
    );
    expect(await assistant.nth(1).getByTestId('served-by').textContent()).not.toMatch(
      new RegExp(`^${provider}:`),
    );
    await screenshot(page, 'chat-failover');
    await page.getByRole('button', { name: `Bring ${provider} back` }).click();
    await page.getByRole('button', { name: `Take ${provider} down` }).waitFor({ timeout: patience });
    await page.close();
  });

  it('/avi streams the agent’s tool calls and runs its planned write only after Confirm', async () => {
    const page = await open('/avi');
    await page.getByRole('textbox', { name: 'Message to Avi' }).fill('why is pool-shop-web degraded?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.getByRole('article', { name: 'Avi' }).last();
    await showsData(page, answer.getByTestId('tool-call'));
    expect(await answer.getByTestId('tool-call').first().textContent()).toMatch(/why_is_down/);
    const plan = answer.getByRole('group', { name: /Planned change/ });
    await plan.waitFor({ timeout: patience });
    expect(await plan.textContent()).toMatch(/PATCH \/api\/pool\//);
    await answer.getByText(/fails its health monitor/).waitFor({ timeout: patience });
    await plan.getByRole('button', { name: 'Confirm change' }).click();
    await plan.getByText('Applied on the controller.').waitFor({ timeout: patience });
    await screenshot(page, 'avi');
    await page.close();
  });

  it('measures client JS per page (gzip) and the dashboard render with 20 providers × 24 h', async () => {
    // Numbers for the report, written as artefacts; nothing here asserts a time.
    const sizes: Record<string, { files: number; gzipBytes: number; rawBytes: number }> = {};
    for (const path of ['/', '/monitoring', '/migrations', '/autoscaling', '/chat', '/avi']) {
      const page = await open(path);
      await page.waitForLoadState('load', { timeout: patience });
      const scripts = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((entry) => entry.name)
          .filter((name) => name.includes('/_next/static/') && name.endsWith('.js')),
      );
      let gzipBytes = 0;
      let rawBytes = 0;
      for (const script of new Set(scripts)) {
        const body = Buffer.from(await (await fetch(script)).arrayBuffer());
        rawBytes += body.length;
        gzipBytes += gzipSync(body, { level: 9 }).length;
      }
      sizes[path] = { files: new Set(scripts).size, gzipBytes, rawBytes };
      expect(sizes[path].files).toBeGreaterThan(0);
      await page.close();
    }
    const bench = await open('/bench/dashboard?providers=20&points=48&runs=7');
    const output = bench.getByTestId('render-bench');
    await expect.poll(() => output.textContent(), { timeout: patience * 2 }).toMatch(/^\{/);
    const render = JSON.parse((await output.textContent()) ?? '{}');
    expect(render).toMatchObject({ providers: 20, points: 48, runs: 7 });
    await bench
      .getByRole('table', { name: 'By provider' })
      .getByRole('row')
      .nth(20)
      .waitFor({ timeout: patience });
    await screenshot(bench, 'dashboard-20-providers');
    await bench.close();
    writeFileSync(
      join(artifactsDirectory, 'numbers.json'),
      `${JSON.stringify({ clientJs: sizes, render }, null, 2)}\n`,
    );
    console.log(
      JSON.stringify({
        clientJs: sizes,
        render: { commitMs: render.commitMs.median, untilNextFrameMs: render.untilNextFrameMs.median },
      }),
    );
  });

  it('raised no uncaught error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});

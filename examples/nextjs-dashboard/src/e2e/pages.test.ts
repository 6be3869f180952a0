import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDirectory, e2eAvailability, type RunningApp, startApp } from './next-app.test-helper';

// Real-browser end-to-end tests of the production build: `next build`, `next start`, Debian's
// Chromium through playwright-core. Each test waits for what the page shows (events), never for time.
const availability = e2eAvailability();
if (!availability.run) console.warn(`e2e skipped: ${availability.reason}`);

/** A generous bound for anything the page must show: a loaded 2-core machine is slow, not wrong. */
const patience = 60_000;

describe.skipIf(!availability.run)('Next.js dashboard in Chromium', () => {
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
    return page;
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
    await providers.waitFor({ timeout: patience });
    for (const provider of ['openai', 'anthropic', 'ollama'])
      await providers.getByRole('row', { name: new RegExp(provider) }).waitFor({ timeout: patience });
    await page.getByRole('img', { name: 'p95 latency by provider' }).waitFor({ timeout: patience });
    const requestsTotal = async () =>
      Number(
        ((await page.locator('dt:text-is("Requests") + dd').textContent()) ?? '').replace(/\s/g, ''),
      );
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
    await first.waitFor({ timeout: patience });
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
    await card.getByText(/replicas/).first().waitFor({ timeout: patience });
    expect(await card.textContent()).toMatch(/(Scale up|Scale down|Keep|At maximum): \d+ → \d+ replicas/);
    const replay = page.getByRole('table', { name: /Back-test/ });
    await replay.getByRole('row', { name: /HPA/ }).waitFor({ timeout: patience });
    await replay.getByRole('row', { name: /Ballast/ }).waitFor({ timeout: patience });
    await screenshot(page, 'autoscaling');
    await page.close();
  });

  it('raised no uncaught error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});

import type { Gateway } from '@ballast/server';

const prompts = ['Summarise the cluster state', 'Explain the last failover', 'Draft a runbook step', 'hello'];

/**
 * Sends chat calls through the gateway's own handler (exactly what an HTTP client's call would
 * run), a few per second, so the dashboard is live. Stops with the process.
 */
export function startLoadGenerator(
  gateway: Gateway,
  models: readonly string[],
  intervalMs = 400,
): () => void {
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    const body = {
      model: models[sent % models.length],
      messages: [{ role: 'user', content: prompts[sent % prompts.length] }],
      stream: sent % 3 === 0,
      max_tokens: 64,
    };
    void gateway
      .fetch(
        new Request('http://load-generator.internal/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      )
      .then((response) => response.text())
      .catch(() => {});
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { captureCliIo } from './cli-io.test-helper';
import { runGateway } from './run-gateway';

// In a file of its own: it counts the worker's listening sockets, which other tests' servers would move.
describe('ballast gateway start-up failure', () => {
  it('closes what it had opened when a later step fails (here: the HTTP port is taken)', async () => {
    const listening = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const before = listening();
      const { err, io: cli } = captureCliIo();
      // --fake starts four upstream servers and opens an in-memory store before the port is tried.
      expect(
        await runGateway(['--fake', '--port', String(port), '--host', '127.0.0.1'], cli),
      ).toBeUndefined();
      expect(err).toEqual([
        `Cannot listen on 127.0.0.1:${port}: the address is in use. Pick another --port (or HTTP_PORT; 0 = any free port).`,
      ]);
      expect(process.exitCode).toBe(2);
      process.exitCode = undefined;
      // Handles go once their close callbacks have run: poll (a leak never gets there).
      await vi.waitFor(() => expect(listening()).toBe(before), { timeout: 10_000, interval: 20 });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

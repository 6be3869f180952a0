#!/usr/bin/env node
import { runGateway } from './run-gateway';

const usage = `Usage: ballast <command> [options]

Commands:
  gateway    start the OpenAI-compatible gateway (ballast gateway --help)`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'gateway') {
    if (command === undefined || command === '--help' || command === '-h') console.log(usage);
    else {
      console.error(`Unknown command "${command}"\n\n${usage}`);
      process.exitCode = 2;
    }
    return;
  }
  const running = await runGateway(rest, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
  });
  if (!running) return;
  const shutdown = (signal: string) => {
    console.log(`${signal}: draining in-flight requests and streams…`);
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

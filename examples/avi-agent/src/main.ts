import { runAviAgentDemo } from './run-demo';

runAviAgentDemo(process.argv.slice(2), {
  log: (line) => console.log(line),
  env: process.env,
  input: process.stdin,
  interactive: process.stdin.isTTY === true,
}).catch((error: unknown) => {
  console.error(error instanceof Error ? `Error: ${error.message}` : error);
  process.exitCode = 1;
});

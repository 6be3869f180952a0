import { runAiSdkExample } from './run-example';

runAiSdkExample({ log: (line) => console.log(line) }).catch((error: unknown) => {
  console.error(error instanceof Error ? `Error: ${error.message}` : error);
  process.exitCode = 1;
});

import { runMigrationDemo } from './run-demo';

runMigrationDemo(process.argv.slice(2), { log: (line) => console.log(line), env: process.env }).catch(
  (error: unknown) => {
    console.error(error instanceof Error ? `Error: ${error.message}` : error);
    process.exitCode = 1;
  },
);

import { createLogger } from '../logging/logger';

/** What `runGateway` prints, captured line by line, with a silent logger and the given environment. */
export function captureCliIo(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (line: string) => void out.push(line),
      err: (line: string) => void err.push(line),
      env,
      logger: createLogger({ level: 'silent' }),
    },
  };
}

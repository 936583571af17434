/** What the commands that run a server (`serve`, `ui`) share: reading --port, and running until SIGTERM or SIGINT. */
import { LabbookError } from '../errors';

/** --port as a number (undefined: the command's default); 0 asks for any free port. */
export function portOption(value: string | undefined, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535)) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--port\`: expected an integer from 0 to 65535 (0: any free port), received ${JSON.stringify(value)}. Usage: ${usage}`);
  return port;
}

/** Waits for SIGTERM or SIGINT, then closes the server (which lets in-flight requests finish). */
export function untilSignal(server: { close(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.close().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

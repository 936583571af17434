/**
 * Server-sent events: the store is polled once a second while any page listens, and every listener
 * is told when its version changed. No listener, no polling.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { UiSource } from './source';

export class RunEvents {
  private readonly listeners = new Set<(version: string) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private polling = false;

  constructor(
    private readonly source: UiSource,
    private readonly intervalMs = 1000,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The GET /api/events response: one `runs` event per change, a comment every 15 s to keep the stream open. */
  respond(c: Context): Response {
    return streamSSE(c, async (stream) => {
      let id = 0;
      const send = (version: string) => void stream.writeSSE({ event: 'runs', data: JSON.stringify({ version }), id: String(++id) }).catch(() => {});
      // The version is read before the stream counts as open: a run written between the page's
      // load and this moment is then a change the first poll reports, not the baseline it starts from.
      if (this.last === undefined) await this.poll();
      this.listeners.add(send);
      this.start();
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => {}), 15_000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(keepAlive);
      this.listeners.delete(send);
      if (this.listeners.size === 0) this.stop();
    });
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const version = await this.source.version();
      if (this.last !== undefined && version !== this.last) for (const send of this.listeners) send(version);
      this.last = version;
    } catch (error) {
      // A store that went away for a moment (PostgreSQL restart) is tried again next second.
      this.log(`labbook ui: could not poll the store for changes: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}

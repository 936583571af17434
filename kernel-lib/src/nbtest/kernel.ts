/** A tslab kernel driven over ZeroMQ: start and handshake, execute cells, interrupt, shut down. */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { address, type ConnectionInfo, writeConnectionFile } from './connection';
import { killGroup, spawnKernel } from './process';
import { type Content, decode, encode, type Message, newMessage, ProtocolError } from './protocol';
import type { ExecuteOptions, ExecuteResult, ExecuteStatus, KernelOptions } from './kernel-types';
import { makeScratch, removeScratch } from './scratch';

export type { ExecuteOptions, ExecuteResult, ExecuteStatus, KernelOptions } from './kernel-types';

interface Waiter {
  iopub(message: Message): void;
  reply(message: Message): void;
}

const STDERR_KEEP = 16_384;
const PORT_CLASH = /EADDRINUSE|Address already in use/;

export class Kernel {
  private readonly waiters = new Map<string, Waiter>();
  private readonly session = randomUUID();
  private sends = new Map<zmq.Dealer, Promise<void>>();
  private exitListeners = new Set<(detail: string) => void>();
  private exitDetail: string | null = null;
  private processStderr = '';
  /** Why the runner stopped the kernel itself (a message that failed verification). */
  private stoppedBecause: string | null = null;
  private infoReply: Content | null = null;
  /** How long the kernel gets to exit after shutdown_request or SIGTERM: with NODE_V8_COVERAGE, writing its coverage at exit can take seconds. */
  private exitGraceMs = 1000;

  private constructor(
    private readonly child: ChildProcess,
    private readonly info: ConnectionInfo,
    private readonly dir: string,
    private readonly releasePorts: () => void,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
  ) {
    child.stderr?.on('data', (d: Buffer) => (this.processStderr = (this.processStderr + d.toString('utf8')).slice(-STDERR_KEEP)));
    child.stdout?.on('data', () => undefined);
    child.on('exit', (code, signal) =>
      this.onExit(this.stoppedBecause ?? (signal ? `kernel died (signal ${signal})` : `kernel died (exit code ${code})`)),
    );
    child.on('error', (error) => this.onExit(`kernel could not start: ${error.message}`));
    this.listen(shell, (m) => this.waiters.get(m.parent_header.msg_id ?? '')?.reply(m));
    this.listen(control, (m) => this.waiters.get(m.parent_header.msg_id ?? '')?.reply(m));
    this.listen(iopub, (m) => this.waiters.get(m.parent_header.msg_id ?? '')?.iopub(m));
  }

  /**
   * Starts a kernel and waits until it answers kernel_info_request and its iopub messages reach
   * us (a subscriber misses what is published before it connects). A kernel that could not bind
   * its ports (another process took one) is started again on fresh ones.
   */
  static async start(options: KernelOptions): Promise<Kernel> {
    for (let attempt = 1; ; attempt++) {
      const kernel = await Kernel.spawn(options);
      try {
        await kernel.handshake(options.startupTimeoutMs ?? 60_000);
        return kernel;
      } catch (error) {
        const clash = PORT_CLASH.test(kernel.processStderr);
        await kernel.shutdown(0);
        if (!clash || attempt >= 3) throw error;
      }
    }
  }

  private static async spawn(options: KernelOptions): Promise<Kernel> {
    const dir = makeScratch('labbook-kernel-');
    let connection: Awaited<ReturnType<typeof writeConnectionFile>> | undefined;
    let child: ChildProcess;
    try {
      connection = await writeConnectionFile(dir);
      child = spawnKernel({ cwd: options.cwd, dir, connectionFile: connection.path, env: { ...process.env, ...options.env }, removeIfOrphaned: options.removeIfOrphaned });
    } catch (error) {
      // No kernel to shut down (no free ports, no tslab to start): its folder goes now.
      connection?.release();
      removeScratch(dir);
      throw error;
    }
    const { info, release } = connection;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(address(info, 'shell'));
    control.connect(address(info, 'control'));
    iopub.connect(address(info, 'iopub'));
    iopub.subscribe();
    const kernel = new Kernel(child, info, dir, release, shell, control, iopub);
    if (options.env?.NODE_V8_COVERAGE) kernel.exitGraceMs = 10_000;
    return kernel;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitDetail === null;
  }

  /** The kernel's kernel_info_reply content (language_info, implementation, banner), as front ends record it. */
  get kernelInfo(): Content | null {
    return this.infoReply;
  }

  /** What the kernel process wrote to its own stderr (outside any cell), last 16 kB. */
  get stderr(): string {
    return this.processStderr;
  }

  private async handshake(timeoutMs: number): Promise<void> {
    let replied = false;
    let heard = false;
    const ids: string[] = [];
    const waiter: Waiter = {
      reply: (m) => {
        replied = true;
        this.infoReply = m.content;
      },
      iopub: () => (heard = true),
    };
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => done(new Error(`kernel did not answer kernel_info_request within ${Math.round(timeoutMs / 1000)} s${this.stderrTail()}`)), timeoutMs);
        const poll = setInterval(() => {
          if (replied && heard) done();
          // tslab reports a failed bind as an unhandled rejection and keeps running without sockets.
          else if (PORT_CLASH.test(this.processStderr)) done(new Error(`kernel could not bind its ports${this.stderrTail()}`));
          else ask();
        }, 250);
        const onExit = (detail: string) => done(new Error(`${detail} while starting${this.stderrTail()}`));
        const done = (error?: Error) => {
          clearTimeout(deadline);
          clearInterval(poll);
          this.exitListeners.delete(onExit);
          if (error) reject(error);
          else resolve();
        };
        // Re-asked until iopub answers too: the first replies' status messages may be published
        // before our subscription is connected.
        const ask = () => {
          const id = this.send(this.shell, 'kernel_info_request', {});
          ids.push(id);
          this.waiters.set(id, waiter);
        };
        this.exitListeners.add(onExit);
        if (this.exitDetail) onExit(this.exitDetail);
        else ask();
      });
    } finally {
      for (const id of ids) this.waiters.delete(id);
    }
  }

  /** Runs one cell; resolves when both its execute_reply and its iopub `idle` have arrived. */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    return new Promise((resolve) => {
      let reply: Message | null = null;
      let idle = false;
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      const finish = (status: ExecuteStatus, detail: string | null) => {
        clearTimeout(timer);
        clearTimeout(grace);
        this.waiters.delete(id);
        this.exitListeners.delete(onExit);
        const count = reply?.content.execution_count;
        resolve({ status, executionCount: typeof count === 'number' ? count : null, reply: reply?.content ?? null, detail });
      };
      const settleIfDone = () => {
        if (!reply || !idle) return;
        if (timedOut) finish('timeout', 'interrupted');
        // 'aborted' is how protocol 5.1+ spells tslab's 'abort'.
        else finish((reply.content.status === 'aborted' ? 'abort' : String(reply.content.status)) as ExecuteStatus, null);
      };
      const onExit = (detail: string) => finish(timedOut ? 'timeout' : 'died', timedOut ? 'killed' : detail);
      const id = this.send(this.shell, 'execute_request', {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      });
      this.waiters.set(id, {
        reply: (m) => {
          reply = m;
          settleIfDone();
        },
        iopub: (m) => {
          if (m.header.msg_type === 'status') {
            if (m.content.execution_state === 'idle') idle = true;
            settleIfDone();
          } else if (m.header.msg_type !== 'execute_input') {
            options.onMessage?.(m);
          }
        },
      });
      this.exitListeners.add(onExit);
      if (this.exitDetail) return onExit(this.exitDetail);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          this.interrupt();
          grace = setTimeout(() => killGroup(this.child, 'SIGKILL'), options.interruptGraceMs ?? 3000);
        }, options.timeoutMs);
      }
    });
  }

  /** The kernelspec's interrupt_mode is `signal` (the default): SIGINT to the kernel process. */
  interrupt(): void {
    if (this.alive) this.child.kill('SIGINT');
  }

  /**
   * shutdown_request on control; the kernel gets `graceMs` to answer and then a second (ten with
   * coverage on) to exit (tslab closes its sockets but a timer a cell left running keeps the process
   * alive) before it
   * is killed, with its whole process group so nothing a cell started survives. Sockets and ports
   * are released.
   */
  async shutdown(graceMs = 3000): Promise<void> {
    if (this.alive && graceMs > 0) {
      let answered!: () => void;
      const reply = new Promise<void>((resolve) => (answered = resolve));
      const id = this.send(this.control, 'shutdown_request', { restart: false });
      this.waiters.set(id, { reply: () => answered(), iopub: () => undefined });
      await Promise.race([reply, this.waitForExit(graceMs)]);
      this.waiters.delete(id);
      await this.waitForExit(this.exitGraceMs);
    }
    if (this.alive) {
      killGroup(this.child, 'SIGTERM');
      await this.waitForExit(this.exitGraceMs);
    }
    killGroup(this.child, 'SIGKILL');
    if (this.alive) await this.waitForExit(5000);
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    this.child.stdin?.destroy();
    this.releasePorts();
    removeScratch(this.dir);
  }

  private waitForExit(ms: number): Promise<void> {
    if (!this.alive) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.exitListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.exitListeners.add(done);
    });
  }

  private onExit(detail: string): void {
    if (this.exitDetail !== null) return;
    this.exitDetail = detail;
    for (const listener of [...this.exitListeners]) listener(detail);
  }

  private send(socket: zmq.Dealer, type: string, content: Content): string {
    const message = newMessage(this.session, type, content);
    // zeromq 6 allows one pending send per socket: chain them.
    const previous = this.sends.get(socket) ?? Promise.resolve();
    const next = previous.then(() => socket.send(encode(this.info.key, message))).catch(() => undefined);
    this.sends.set(socket, next);
    return message.header.msg_id;
  }

  private listen(socket: zmq.Dealer | zmq.Subscriber, deliver: (message: Message) => void): void {
    void (async () => {
      try {
        for await (const frames of socket) {
          let message: Message;
          try {
            message = decode(this.info.key, frames);
          } catch (error) {
            // A message we cannot verify means we cannot trust anything from this kernel.
            const reason = error instanceof ProtocolError ? error.message : `message that does not parse (${String(error)})`;
            this.stoppedBecause ??= `kernel stopped: it sent a ${reason}`;
            killGroup(this.child, 'SIGKILL');
            continue;
          }
          deliver(message);
        }
      } catch {
        // the socket was closed
      }
    })();
  }

  private stderrTail(): string {
    const tail = this.processStderr.trim().split('\n').slice(-10).join('\n');
    return tail ? `:\n${tail}` : '';
  }
}

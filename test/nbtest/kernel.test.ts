import { join } from 'node:path';
import { processGone } from '../helpers';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel-lib/src/nbtest';
import type { Message } from '../../kernel-lib/src/nbtest/protocol';

const FIXTURES = join(__dirname, '..', 'fixtures', 'notebooks');



describe('a tslab kernel over the Jupyter protocol', () => {
  it('executes cells with counts and streams, and kills a kernel whose cell ignores the interrupt', async () => {
    const kernel = await Kernel.start({ cwd: FIXTURES, env: { NBTEST_PROBE: 'from the runner' } });
    const pid = kernel.pid!;
    try {
      const messages: Message[] = [];
      const first = await kernel.execute('console.log(process.env.NBTEST_PROBE, process.cwd());', { onMessage: (m) => messages.push(m) });
      expect(first).toMatchObject({ status: 'ok', executionCount: 1 });
      expect(messages.map((m) => [m.header.msg_type, m.content.name, m.content.text])).toEqual([['stream', 'stdout', `from the runner ${FIXTURES}\n`]]);

      // A cell that swallows SIGINT cannot be interrupted: after the grace period the kernel is killed.
      const stuck = await kernel.execute("process.removeAllListeners('SIGINT');\nprocess.on('SIGINT', () => {});\nawait new Promise((r) => setTimeout(r, 60_000));", {
        timeoutMs: 500,
        interruptGraceMs: 500,
      });
      expect(stuck).toMatchObject({ status: 'timeout', detail: 'killed' });
      expect(kernel.alive).toBe(false);
      expect(await processGone(pid)).toBe(true);
      expect(await kernel.execute('1')).toMatchObject({ status: 'died' });
    } finally {
      await kernel.shutdown();
    }
  }, 60_000);

  it('shuts down on shutdown_request and leaves no process behind', async () => {
    const kernel = await Kernel.start({ cwd: FIXTURES });
    const pid = kernel.pid!;
    expect(await kernel.execute('let x = 2;\nx * 21')).toMatchObject({ status: 'ok', executionCount: 1 });
    await kernel.shutdown();
    expect(kernel.alive).toBe(false);
    expect(await processGone(pid)).toBe(true);
  }, 60_000);
});

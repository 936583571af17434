import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { collect, tempDb, waitForLine } from '../helpers';

describe('a training process seen from another process', () => {
  it('shows its metrics while it trains, and ends killed on SIGTERM with them kept', async () => {
    const db = tempDb();
    const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'train-child.js'), db]);
    const done = collect(child);
    try {
      await watch();
    } finally {
      child.kill('SIGKILL'); // never leave a training process behind, whatever failed above
    }

    async function watch(): Promise<void> {
      const id = Number((await waitForLine(child, 'started')).split(' ')[1]);
      const registry = openRegistry({ db });
      let seen = 0;
      for (let i = 0; i < 100 && seen === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = registry.getRun(id).metrics.batch_loss?.count ?? 0;
      }
      expect(seen).toBeGreaterThan(0); // flushed by the run's timer while training is still going
      expect(registry.getRun(id).status).toBe('running');
      child.kill('SIGTERM');
      expect((await done).signal).toBe('SIGTERM');
      const run = registry.getRun(id);
      expect(run.status).toBe('killed');
      expect(run.metrics.batch_loss.count).toBeGreaterThanOrEqual(seen);
      registry.close();
    }
  }, 60_000);
});

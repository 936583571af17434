// showSweep(): a sweep's leaderboard, best trial, importance and four figures, in a notebook and as text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { showSweepOn, type ShownSweep } from '../../kernel-lib/src/display/sweep';
import { choice, logUniform } from '../../kernel-lib/src/sweep/space';
import type { Trial } from '../../kernel-lib/src/sweep/trial';
import { newKernelSession, recordingSink, textStream } from '../display/recording';

const trials: Trial[] = Array.from({ length: 12 }, (_, number) => ({
  number,
  state: number === 3 ? 'pruned' : number === 7 ? 'running' : 'complete',
  value: number === 3 || number === 7 ? null : (number - 5) ** 2 / 10,
  params: { lr: 10 ** -(1 + (number % 4)), opt: number % 2 ? 'sgd' : 'adam' },
  intermediate: [{ step: 0, value: 1 }, { step: 1, value: 0.5 + number / 100 }],
}));
// What loadSweep returns carries more than showSweep reads.
const summary: ShownSweep & { id: number; runIds: number[] } = {
  id: 4,
  runIds: [],
  definition: { space: { lr: logUniform(1e-4, 1e-1), opt: choice(['adam', 'sgd']) }, objective: { metric: 'val_loss', direction: 'minimize' } },
  trials,
};

const text = (html: unknown) => String(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('showSweep in a notebook', () => {
  it('shows the leaderboard, the best trial and importance as tables, then the four figures', () => {
    newKernelSession();
    const sink = recordingSink();
    expect(showSweepOn({ kind: 'notebook', sink }, summary, { limit: 3 })).toEqual([]);
    const [board, best, importance, ...figures] = sink.outputs.map((o) => o.data);
    expect(text(board['text/html'])).toContain('Leaderboard (12 trials, minimize val_loss)');
    expect(text(board['text/html'])).toMatch(/rank trial state val_loss last val_loss pruned at step lr opt 1 5 complete 0 .*3 rows/);
    expect(text(best['text/html'])).toMatch(/Best trial key value trial 5 val_loss 0 lr 0.01 opt sgd/);
    expect(text(importance['text/html'])).toContain('importance (PED-ANOVA)');
    expect(figures.map((f) => (f['application/vnd.plotly.v1+json'] as { layout: { title: { text: string } } }).layout.title.text)).toEqual([
      'Optimization history: val_loss (minimize)',
      'Parallel coordinates: val_loss (10 complete trials)',
      'val_loss vs parameter',
      'Intermediate values: val_loss',
    ]);
  });

  it('says why there is no best trial when none has completed', () => {
    const sink = recordingSink();
    showSweepOn({ kind: 'notebook', sink }, { ...summary, trials: trials.filter((t) => t.state !== 'complete') }, { figures: false });
    expect(sink.outputs).toHaveLength(3);
    expect(text(sink.outputs[1].data['text/html'])).toContain('No best trial: no trial has completed with a finite value (1 pruned, 1 running).');
  });

  it('refuses something that is not a sweep', () => {
    const sink = recordingSink();
    expect(() => showSweepOn({ kind: 'notebook', sink }, { trials } as never)).toThrow(/Invalid value for `summary`: expected \{ definition: \{ space, objective: \{ metric, direction \} \}, trials \}/);
  });
});

describe('a pruned trial in the leaderboard', () => {
  it('shows the intermediate value it was ranked by under the intermediate metric, not under the objective', () => {
    newKernelSession();
    const sink = recordingSink();
    const judged = { ...summary, definition: { ...summary.definition, objective: { metric: 'test_rmse', direction: 'minimize' as const, intermediate: 'val_loss' } } };
    showSweepOn({ kind: 'notebook', sink }, judged, { limit: 12, figures: false });
    const board = text(sink.outputs[0].data['text/html']);
    expect(board).toMatch(/rank trial state test_rmse last val_loss pruned at step lr opt/);
    // trial 3 was pruned after reporting 0.53 at step 1: that value sits under `last val_loss`, with no test_rmse
    expect(board).toMatch(/ 11 3 pruned 0\.53 1 1\.000e-4 sgd /);
  });
});

describe('showSweep outside a notebook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labbook-sweep-display-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the tables as text and writes each figure to an HTML file', () => {
    const stream = textStream();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const files = showSweepOn({ kind: 'stream', stream }, summary, { limit: 2, stream });
      expect(files).toHaveLength(4);
      expect(files.every((f) => f.startsWith(dir))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
    expect(stream.text).toMatch(/Leaderboard \(12 trials, minimize val_loss\)\nrank\s+trial\s+state\s+val_loss/);
    expect(stream.text).toContain('Parameter importance');
    expect(stream.text).not.toContain('No trials yet.');
  });
});

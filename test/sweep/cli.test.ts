/** `labbook sweep run|resume|show` through the real CLI: output, `runs --parent`, mistakes, and resuming a sweep killed with -9. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { loadSweep } from '../../kernel-lib/src/sweep';
import { CLI, collect, expectMistakes, processGone, ROOT, runCli, tempDb, tempDir } from '../helpers';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'sweep');
const SWEEP = join(FIXTURES, 'tiny-sweep.ts');

/** What must match between two runs of the same sweep: each trial's params, state, value and final checkpoint. */
function outcome(db: string, id: number) {
  const registry = openRegistry({ db, create: false });
  try {
    const sweep = loadSweep(registry, id);
    return sweep.trials.map((t, i) => ({ ...t, checkpoint: registry.getRun(sweep.runIds[i]).checkpoints.at(-1)?.sha256 }));
  } finally {
    registry.close();
  }
}

describe('labbook sweep', () => {
  const db = tempDb();

  it('run: trials as child runs, the leaderboard and the best trial; `runs --parent` lists the trials; show again', async () => {
    const ran = await runCli(['sweep', 'run', SWEEP, '--db', db, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout);
    expect(summary).toMatchObject({ id: 1, status: 'finished', stopped: 'budget: 5 trials', counts: { complete: 4, pruned: 1, failed: 0, running: 0 } });
    // One ranking everywhere (sweep analysis): complete trials by value, then the pruned one by its last intermediate value.
    expect(summary.leaderboard.map((r: { rank: number | null }) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(summary.leaderboard[4]).toMatchObject({ state: 'pruned', value: null, last: expect.any(Number), step: 1 });
    expect(summary.best).toEqual(summary.leaderboard[0]);
    expect(Object.keys(summary.importance).sort()).toEqual(['learningRate', 'units']);
    expect(Object.values(summary.importance as { [k: string]: number }).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(ran.stderr).toMatch(/^trial 0: complete final_val_loss=/m);
    const [, trial, run] = /^trial (\d+): pruned \(run (\d+)\) .*: pruned at step 1: val_loss .* is worse than the median/m.exec(ran.stderr) ?? [];
    expect(trial, ran.stderr).toBeDefined();

    const runs = await runCli(['runs', '--parent', '1', '--db', db, '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout).map((r: { id: number }) => r.id).sort()).toEqual([2, 3, 4, 5, 6]);

    const shown = await runCli(['sweep', 'show', '1', '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    const best = summary.best;
    expect(shown.stdout).toContain('sweep 1  sweep-tiny  finished  seed 11');
    expect(shown.stdout).toContain('objective: minimize final_val_loss (pruned on val_loss)');
    expect(shown.stdout).toContain('trials: 5 (4 complete, 1 pruned)');
    expect(shown.stdout).toMatch(new RegExp(`^best: trial ${best.trial} \\(run ${best.run}\\) final_val_loss `, 'm'));
    expect(shown.stdout).toMatch(/^importance \(PED-ANOVA\): (units|learningRate) [\d.]+ {2}(units|learningRate) [\d.]+$/m);
    expect(shown.stdout).toMatch(/^rank {2}trial {2}run {2}state +final_val_loss {2}last val_loss {2}params +pruned_step$/m);
    expect(shown.stdout).toMatch(new RegExp(`^5 +${trial} +${run} +pruned +- +[\\d.]+ +units=\\d+ learningRate=\\S+ +1$`, 'm'));
    expect(shown.stdout).toMatch(new RegExp(`^ {2}trial ${trial} pruned: pruned at step 1: val_loss`, 'm'));

    // --html: the same tables and the four figures as one page, plotly.js written once beside it.
    const page = join(tempDir(), 'report', 'sweep-1.html');
    const html = await runCli(['sweep', 'show', '1', '--db', db, '--html', page, '--json']);
    expect(html.code, html.stderr).toBe(0);
    expect(JSON.parse(html.stdout).html).toBe(page);
    const written = readFileSync(page, 'utf8');
    expect(written).toContain('<script type="text/javascript" src="plotly-');
    expect(written.match(/class="labbook-figure"/g)).toHaveLength(4);
    for (const title of ['Leaderboard (5 trials, minimize final_val_loss)', 'Best trial', 'Parameter importance', 'Intermediate values: val_loss']) expect(written).toContain(title);
    expect(readdirSync(dirname(page)).filter((f) => f.startsWith('plotly-'))).toHaveLength(1);
  });

  it('mistakes are one line and exit 2: a missing file, a file without a sweep, a bad definition, a run that is not a sweep', async () => {
    const plain = tempDb();
    const registry = openRegistry({ db: plain });
    registry.startRun({ experiment: 'plain' }).end();
    registry.startRun({ experiment: 'plain' }).end();
    registry.close();
    await expectMistakes(
      [
        [['sweep', 'run', join(FIXTURES, 'nope.ts')], /^labbook: No sweep file at .*nope\.ts: expected a \.ts or \.js file whose default export is defineSweep/],
        [['sweep', 'run', join(FIXTURES, 'tiny-mlp.ts')], /^labbook: Invalid sweep file .*tiny-mlp\.ts: expected a default export of defineSweep\(\.\.\.\), found exports default/],
        [['sweep', 'run', join(FIXTURES, 'bad-sweep.ts')], /^labbook: Invalid value for `sampler`: expected one of 'grid', 'random', 'tpe', received "tpee"\. Did you mean 'tpe'\?/],
        [['sweep', 'run', SWEEP, '--trials', '0'], /Invalid value for `--trials`: expected an integer >= 1, received "0"/],
        [['sweep', 'start', SWEEP], /Unknown sweep action `start`: expected one of run, resume, show/],
        [['sweep', 'show', '2'], /Run 2 is not a sweep: expected a sweep's parent run \(tag labbook.sweep=parent\), received a run of plain/],
      ],
      plain,
    );
  });

  it('resume: a sweep killed with -9 mid-trial, resumed, ends as the uninterrupted sweep did', async () => {
    const killed = tempDb();
    const child = spawn(process.execPath, [CLI, 'sweep', 'run', SWEEP, '--db', killed]);
    const done = collect(child);
    // Wait until trial 2 is running, then kill the whole sweep without warning.
    await new Promise<void>((resolve, reject) => {
      child.on('close', () => reject(new Error('the sweep ended before trial 2 started')));
      const poll = setInterval(() => {
        try {
          const registry = openRegistry({ db: killed, create: false });
          const row = registry.db.prepare("SELECT r.status FROM runs r JOIN tags t ON t.run_id = r.id AND t.key = 'sweep.trial' AND t.value = '2'").get();
          registry.close();
          if (row) {
            clearInterval(poll);
            resolve();
          }
        } catch {
          // the registry is not created yet
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await done;
    expect(await processGone(child.pid!)).toBe(true);
    const registry = openRegistry({ db: killed, create: false });
    const before = loadSweep(registry, 1);
    registry.close();
    expect(before.trials.length).toBe(3);

    const resumed = await runCli(['sweep', 'resume', '1', '--db', killed, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id: 1, status: 'finished', stopped: 'budget: 5 trials', counts: { complete: 4, pruned: 1 } });
    expect(outcome(killed, 1)).toEqual(outcome(db, 1));
    // The parent was reopened by the resuming process and ended as the uninterrupted sweep's did.
    const [parent, uninterrupted] = [killed, db].map((path) => {
      const r = openRegistry({ db: path, create: false });
      try {
        return r.getRun(1);
      } finally {
        r.close();
      }
    });
    expect(parent).toMatchObject({ status: 'finished', error: null });
    expect(parent.pid).not.toBe(child.pid);
    expect(parent.metrics.best_value.value).toBe(uninterrupted.metrics.best_value.value);
    for (const tag of ['sweep.stopped', 'sweep.best_trial']) expect(parent.tags[tag], tag).toBe(uninterrupted.tags[tag]);
    expect(parent.tags['sweep.best_run']).toBe(String(JSON.parse(resumed.stdout).best.run)); // a re-run trial has a new run id
    expect(parent.tags).toMatchObject({ 'sweep.resumed': 'true', 'labbook.reopened': '1' });
    expect(parent.tags['labbook.reopened.1']).toMatch(new RegExp(`^crashed at .*: Process ${child.pid} on .* stopped without ending the run`));
    // Finished, it is not resumed again.
    await expectMistakes([[['sweep', 'resume', '1'], /^labbook: Cannot resume sweep 1: expected an interrupted sweep \(crashed or killed\), received one that ended as finished\./]], killed);
  });
});

/** Sweeps that run: trials as child runs of a parent, the same seed giving the same sweep, pruning inside train(), failures, budgets. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperimentFile } from '../../kernel-lib/src/experiment';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { choice, defineSweep, int, loadSweep, logUniform, runSweep, type SweepInput } from '../../kernel-lib/src/sweep';
import { CLI, collect, ROOT, tempDb } from '../helpers';

const tiny = () => loadExperimentFile(join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-mlp.ts'));
const objective = { metric: 'final_val_loss', direction: 'minimize', intermediate: 'val_loss' } as const;

async function withRegistry<T>(body: (registry: Registry) => Promise<T>): Promise<T> {
  const registry = openRegistry({ db: tempDb() });
  try {
    return await body(registry);
  } finally {
    registry.close();
  }
}

describe('runSweep', () => {
  it('records a parent run whose children are the trials; the same seed gives the same trials, values and checkpoints', async () => {
    const input: SweepInput = {
      experiment: tiny(),
      space: { units: int(2, 12), learningRate: logUniform(1e-3, 0.1) },
      objective,
      sampler: { name: 'tpe', options: { startupTrials: 2 } },
      budget: { trials: 4 },
      seed: 5,
    };
    const once = async () =>
      withRegistry(async (registry) => {
        const summary = await runSweep(defineSweep(input), { registry });
        const parent = registry.getRun(summary.id);
        expect(parent.experiment).toBe('sweep:sweep-tiny');
        expect(parent.status).toBe('finished');
        expect(parent.tags['labbook.sweep']).toBe('parent');
        expect(parent.children).toEqual(summary.trials.map((t) => t.runId));
        expect(parent.tags['sweep.stopped']).toBe('budget: 4 trials');
        expect(parent.metrics.best_value.value).toBe(summary.best!.value);
        expect(parent.tags['sweep.best_run']).toBe(String(summary.best!.runId));
        const children = summary.trials.map((t) => registry.getRun(t.runId));
        expect(children.map((c) => c.seed)).toEqual([5, 5, 5, 5]);
        expect(children.map((c) => c.tags['sweep.trial'])).toEqual(['0', '1', '2', '3']);
        expect(children.every((c) => c.tags['sweep.state'] === 'complete')).toBe(true);
        // Read back in declaration order (the registry stores the config with sorted keys): a resumed sweep draws as this one did.
        expect(Object.keys(loadSweep(registry, summary.id).definition.space)).toEqual(['units', 'learningRate']);
        expect(loadSweep(registry, summary.id).trials).toEqual(summary.trials.map(({ runId, reason, prunedStep, ...t }) => t));
        return summary.trials.map((t, i) => ({ ...t, runId: 0, checkpoint: children[i].checkpoints.at(-1)!.sha256 }));
      });
    const [a, b] = [await once(), await once()];
    expect(a).toHaveLength(4);
    expect(new Set(a.map((t) => JSON.stringify(t.params))).size).toBe(4);
    expect(b).toEqual(a);
  });

  it('prunes a hopeless trial inside train(): stopped early, with the step and the reason recorded', async () => {
    await withRegistry(async (registry) => {
      const definition = defineSweep({
        experiment: tiny(),
        space: { learningRate: choice([0.05, 0.03, 0.00001]) },
        objective,
        sampler: 'grid',
        pruner: { name: 'median', options: { nStartupTrials: 2, nWarmupSteps: 1 } },
        seed: 1,
      });
      expect(definition.budget).toEqual({ trials: 3, timeS: null });
      const summary = await runSweep(definition, { registry });
      expect(summary.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'pruned']);
      const pruned = summary.trials[2];
      expect(pruned.prunedStep).toBe(1);
      expect(pruned.reason).toMatch(/^pruned at step 1: val_loss .* is worse than the median .* of 2 completed trials at step 1$/);
      const run = registry.getRun(pruned.runId);
      expect(run.tags).toMatchObject({ 'sweep.state': 'pruned', 'sweep.pruned_step': '1', 'sweep.pruned_reason': pruned.reason });
      expect(registry.metricHistory(pruned.runId, 'val_loss')).toHaveLength(2);
      expect(registry.metricHistory(summary.trials[0].runId, 'val_loss')).toHaveLength(6);
      expect(loadSweep(registry, summary.id).reasons[2]).toEqual({ step: 1, reason: pruned.reason });
    });
  });

  it('records a failing trial as failed and goes on', async () => {
    await withRegistry(async (registry) => {
      const summary = await runSweep(defineSweep({ experiment: tiny(), space: { explode: choice([true, false]) }, objective, sampler: 'grid', seed: 2 }), { registry });
      expect(summary.trials.map((t) => t.state)).toEqual(['failed', 'complete']);
      expect(summary.trials[0].reason).toMatch(/exploded on purpose/);
      expect(registry.getRun(summary.trials[0].runId).status).toBe('failed');
      expect(summary.best?.number).toBe(1);
      expect(registry.getRun(summary.id).status).toBe('finished');
    });
  });

  it('needs no per-epoch metric without a pruner: an objective logged only at the end is enough; with a pruner it is named', async () => {
    const finalOnly = { metric: 'final_val_loss', direction: 'minimize' } as const;
    await withRegistry(async (registry) => {
      const summary = await runSweep(defineSweep({ experiment: tiny(), space: { units: int(2, 6) }, objective: finalOnly, sampler: 'random', budget: { trials: 2 }, seed: 4, set: { epochs: 1 } }), { registry });
      expect(summary.trials.map((t) => t.state)).toEqual(['complete', 'complete']);
      const pruned = await runSweep(defineSweep({ experiment: tiny(), space: { units: int(2, 6) }, objective: finalOnly, sampler: 'random', pruner: 'median', budget: { trials: 1 }, seed: 4, set: { epochs: 1 } }), { registry });
      expect(pruned.trials[0].reason).toMatch(/Invalid value for `objective.intermediate`: expected one of the epoch logs train\(\) wrote \(loss, val_loss/);
    });
  });

  it('stops proposing when the time budget has passed (a fake clock)', async () => {
    await withRegistry(async (registry) => {
      let now = 0;
      const clock = () => (now += 1000);
      const definition = defineSweep({ experiment: tiny(), space: { units: int(2, 12) }, objective, sampler: 'random', budget: { timeS: 2.5 }, seed: 3 });
      const summary = await runSweep(definition, { registry, clock });
      // Started at 1 s; read before trial 0 (1 s passed), trial 1 (2 s), then 3 s >= 2.5: two trials.
      expect(summary.trials).toHaveLength(2);
      expect(summary.stopped).toBe('budget: 2.5 s passed');
      expect(registry.getRun(summary.id).tags['sweep.stopped']).toBe('budget: 2.5 s passed');
    });
  });

  it('resume: a sweep stopped with SIGINT (parent killed) is reopened by the resuming process and ends finished, its best value logged', async () => {
    const db = tempDb();
    const child = spawn(process.execPath, [CLI, 'sweep', 'run', join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-sweep.ts'), '--trials', '3', '--db', db]);
    const done = collect(child);
    let said = '';
    child.stderr.on('data', (d) => {
      said += d;
      if (said.includes('trial 0:') && !child.killed) child.kill('SIGINT'); // while trial 1 runs
    });
    expect((await done).signal).toBe('SIGINT');
    const registry = openRegistry({ db, create: false });
    try {
      const killed = registry.getRun(1);
      expect(killed).toMatchObject({ status: 'killed', error: 'Received SIGINT.' });
      const summary = await runSweep(null, { registry, resume: 1 });
      expect(summary.trials).toHaveLength(3);
      const parent = registry.getRun(1);
      expect(parent).toMatchObject({ status: 'finished', error: null, pid: process.pid });
      expect(parent.metrics.best_value.value).toBe(summary.best!.value);
      expect(parent.tags).toMatchObject({
        'sweep.stopped': 'budget: 3 trials',
        'sweep.best_trial': String(summary.best!.number),
        'sweep.best_run': String(summary.best!.runId),
        'sweep.resumed': 'true',
        'labbook.reopened': '1',
        'labbook.reopened.1': `killed at ${new Date(killed.endedAt!).toISOString()}: Received SIGINT.`,
      });
      await expect(runSweep(null, { registry, resume: 1 })).rejects.toThrow(
        'Cannot resume sweep 1: expected an interrupted sweep (crashed or killed), received one that ended as finished. See it with `labbook sweep show 1`; start a new sweep with `labbook sweep run FILE`.',
      );
    } finally {
      registry.close();
    }
  });

  it('refuses a run that is not a sweep, and a space param the experiment does not have, before any run', async () => {
    await withRegistry(async (registry) => {
      const other = registry.startRun({ experiment: 'plain' });
      other.end();
      expect(() => loadSweep(registry, other.id)).toThrow(/Run 1 is not a sweep: expected a sweep's parent run \(tag labbook.sweep=parent\), received a run of plain/);
      const bad = defineSweep({ experiment: tiny(), space: { unit: int(2, 12) }, objective, sampler: 'random', budget: { trials: 2 }, seed: 3 });
      await expect(runSweep(bad, { registry })).rejects.toThrow(/Unknown config key `unit` for sweep-tiny: .*Did you mean `units`\?/);
      expect(registry.getRun(1).children).toEqual([]);
      expect(() => registry.getRun(2)).toThrow(/No run with id 2/);
    });
  });
});

describe('defineSweep', () => {
  const base = (): SweepInput => ({ experiment: 'sweep-tiny', space: { units: int(2, 12) }, objective, sampler: 'random', budget: { trials: 2 }, seed: 1 });
  it.each([
    [{ sampler: 'tpee' }, /Invalid value for `sampler`: expected one of 'grid', 'random', 'tpe', received "tpee". Did you mean 'tpe'\?/],
    [{ pruner: 'medain' }, /Invalid value for `pruner`: expected one of 'median', 'successive-halving', 'hyperband', 'none', received "medain". Did you mean 'median'\?/],
    [{ pruner: { name: 'median', options: { startup: 3 } } }, /Unknown option `startup` for MedianPruner/],
    [{ sampler: { name: 'tpe', options: { startupTrial: 3 } } }, /Invalid value for `sampler.options`: .* received "startupTrial". Did you mean `startupTrials`\?/],
    [{ budget: {} }, /Invalid value for `budget`: expected at least one of `trials` or `timeS`/],
    [{ budget: { trials: 0 } }, /Invalid value for `budget.trials`: expected a positive integer, received 0/],
    [{ objective: { metric: 'loss', direction: 'minimise' } }, /Invalid value for `objective.direction`: .* received "minimise". Did you mean 'minimize'\?/],
    [{ seeds: 1 }, /Invalid value for `defineSweep option`: .* received "seeds". Did you mean `seed`\?/],
    [{ experiment: 'Not A Name' }, /Invalid value for `experiment`: expected an experiment/],
  ] as [Partial<SweepInput> & { [k: string]: unknown }, RegExp][])('refuses %j', (change, message) => {
    expect(() => defineSweep({ ...base(), ...change } as SweepInput)).toThrow(message);
  });

  it('is plain JSON, with pruner metric and Hyperband seed filled from the definition', () => {
    const d = defineSweep({ ...base(), pruner: 'hyperband' });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({ experiment: 'sweep-tiny', experimentFile: null, pruner: { name: 'hyperband', options: {} }, budget: { trials: 2, timeS: null } });
  });
});

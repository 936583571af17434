import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli, tempDb } from '../helpers';
import { runSmall } from './cases';

describe('labbook run and reproduce', () => {
  it('reproduce re-runs a recorded run on its backend and finds the checkpoint identical (exit 0)', async () => {
    const db = tempDb();
    const original = await runSmall('penguins-mlp', { db, seed: 3, backend: 'wasm' });
    const result = await runCli(['reproduce', String(original.id), '--json', '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ reproduced: true, checkpointMatch: true, original: { id: original.id, checkpoint: original.checkpoint } });
    expect(report.rerun.checkpoint).toEqual(original.checkpoint);
    expect(report.differences).toMatchObject({ config: {}, datasets: {}, codeHash: null });
    expect(Object.values(report.metricDeltas).every((d) => d === 0)).toBe(true);
    const registry = openRegistry({ db });
    expect(registry.getRun(report.rerun.id).tags).toMatchObject({ reproduces: String(original.id), source: 'experiments/penguins-mlp.ts' });
    registry.close();
  }, 120_000);

  it('reports what differs and exits 1 when the re-run does not match (another backend)', async () => {
    const db = tempDb();
    const original = await runSmall('cars-regression', { db, seed: 3, backend: 'wasm' });
    const result = await runCli(['reproduce', String(original.id), '--backend', 'cpu', '--json', '--db', db]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ reproduced: false, checkpointMatch: false });
    expect(report.differences.env['backend.name']).toEqual(['wasm', 'cpu']);
    expect(report.differences.config).toEqual({});
    expect(Object.keys(report.metricDeltas)).toEqual(expect.arrayContaining(['test_rmse', 'loss']));
    const text = await runCli(['reproduce', String(original.id), '--backend', 'cpu', '--db', db]);
    expect(text.stdout).toMatch(/NOT REPRODUCED[\s\S]*inputs that differ[\s\S]*env\.backend\.name\s+wasm\s+cpu/);
  }, 120_000);

  it('records a failing experiment as failed with what it logged, and exits 1', async () => {
    const db = tempDb();
    const result = await runCli(['run', join('test', 'fixtures', 'experiments', 'diverges.ts'), '--json', '--quiet', '--seed', '1', '--db', db]);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ experiment: 'diverges', status: 'failed' });
    expect(summary.error).toMatch(/The loss became NaN in batch 4\/4 of epoch 1\/2 \(metric step 3\)/);
    const registry = openRegistry({ db });
    expect(registry.getRun(summary.id).metrics.batch_loss.count).toBe(3);
    registry.close();
  }, 60_000);

  it.each([
    [['run', 'no-such-experiment'], /No experiment named `no-such-experiment`: expected one of .*mnist-mlp/],
    [['run', 'penguins-mlp', '--set', 'lr2=0.1'], /Unknown config key `lr2` for penguins-mlp: expected one of epochs, samples/],
    [['run', 'penguins-mlp', '--set', 'epochs=many'], /Invalid value for `epochs`: expected a number like penguins-mlp's default 60, received "many"/],
    [['run', 'penguins-mlp', '--backend', 'tpu'], /tpu/],
    [['reproduce', '99'], /No labbook registry at /],
  ])('a user mistake %j is one line and exit 2', async (args, message) => {
    const result = await runCli([...args, '--db', tempDb(), '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperimentFile, resolveConfig, runExperiment } from '../../kernel-lib/src/experiment';
import { openRegistry } from '../../kernel-lib/src/registry';
import { canonicalJson, sha256 } from '../../kernel-lib/src/repro/hash';
import { ROOT, runCli, tempDb } from '../helpers';

const FILE = join(ROOT, 'test', 'fixtures', 'experiments', 'nested-config.ts');
const nested = () => loadExperimentFile(FILE);

describe('config overrides from code (resolveConfig, runExperiment)', () => {
  it('sets a nested value by its dotted path, the path queries use', () => {
    const config = resolveConfig(nested(), { 'opt.lr': 0.1, 'model.head.dropout': 0.5 });
    expect(config.opt).toEqual({ name: 'sgd', lr: 0.1, momentum: 0.9 });
    expect(config.model).toEqual({ units: [32], activation: 'relu', head: { dropout: 0.5 } });
    expect(nested().defaults.opt).toEqual({ name: 'sgd', lr: 0.01, momentum: 0.9 }); // defaults untouched
  });

  it('merges an object into the default object (deep), and an array replaces', () => {
    const config = resolveConfig(nested(), { model: { units: [64, 64], head: { dropout: 0.2 } } });
    expect(config.model).toEqual({ units: [64, 64], activation: 'relu', head: { dropout: 0.2 } });
  });

  it.each([
    [{ 'opt.lrr': 0.1 }, /^Unknown config key `opt\.lrr` for nested-config: expected one of opt\.name, opt\.lr, opt\.momentum, received "opt\.lrr"\. Did you mean `opt\.lr`\?$/],
    [{ lr: 0.1 }, /^Unknown config key `lr` for nested-config: expected one of epochs, samples, opt, model, received "lr"\. Did you mean `opt\.lr`\?/],
    [{ model: { unitz: [8] } }, /^Unknown config key `model\.unitz` for nested-config: expected one of model\.units, model\.activation, model\.head.*Did you mean `model\.units`\?/],
    [{ 'opt.lr.x': 1 }, /^Unknown config key `opt\.lr\.x` for nested-config: `opt\.lr` is 0\.01, not an object of settings/],
    [{ 'opt.lr': 'fast' }, /^Invalid value for `opt\.lr`: expected a number like nested-config's default 0\.01, received "fast"\.$/],
    [{ model: [1] }, /^Invalid value for `model`: expected an object like nested-config's default \{"units":\[32\],.*received an array of 1\.$/],
    [{ model: { units: 64 } }, /^Invalid value for `model\.units`: expected an array like nested-config's default \[32\], received 64\.$/],
  ])('refuses %j with one clear message', (set, message) => {
    expect(() => resolveConfig(nested(), set)).toThrow(message);
  });

  it('keeps `__proto__` an ordinary key: no prototype is changed, no unknown key slips through', () => {
    expect(() => resolveConfig(nested(), JSON.parse('{"opt": {"__proto__": {"polluted": 1}}}'))).toThrow(/Unknown config key `opt\.__proto__`/);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it('records and hashes the merged config: what ran, every key', async () => {
    const db = tempDb();
    const registry = openRegistry({ db });
    try {
      const summary = await runExperiment(nested(), { registry, set: { 'opt.lr': 0.1, model: { units: [64] } }, seed: 1, backend: 'cpu' });
      expect(summary.metrics).toEqual({ lr_seen: 0.1 });
      const run = registry.getRun(summary.id);
      const merged = { epochs: 1, samples: 0, opt: { name: 'sgd', lr: 0.1, momentum: 0.9 }, model: { units: [64], activation: 'relu', head: { dropout: 0.1 } } };
      expect(run.config).toEqual(merged);
      expect(run.configHash).toBe(sha256(canonicalJson(merged)));
      expect(run.params).toMatchObject({ 'opt.lr': 0.1, 'opt.momentum': 0.9, 'model.activation': 'relu', 'model.head.dropout': 0.1 });
    } finally {
      registry.close();
    }
  }, 60_000);
});

describe('labbook run --set (the real CLI)', () => {
  it('sets dotted paths and merges JSON objects; the recorded config is the merged one', async () => {
    const db = tempDb();
    const result = await runCli(['run', FILE, '--set', 'opt.lr=0.1', '--set', 'model={"units":[64]}', '--backend', 'cpu', '--seed', '1', '--quiet', '--json', '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const registry = openRegistry({ db });
    const run = registry.getRun(summary.id);
    registry.close();
    expect(run.config).toEqual({ epochs: 1, samples: 0, opt: { name: 'sgd', lr: 0.1, momentum: 0.9 }, model: { units: [64], activation: 'relu', head: { dropout: 0.1 } } });
    expect(summary.configHash).toBe(sha256(canonicalJson(run.config)));
    const found = await runCli(['runs', '--where', 'config.opt.lr = 0.1 AND config.model.activation = "relu"', '--json', '--db', db]);
    expect(JSON.parse(found.stdout).map((r: { id: number }) => r.id)).toEqual([summary.id]);
  }, 60_000);

  it.each([
    [['--set', 'opt.lrr=0.1'], /Unknown config key `opt\.lrr` for nested-config: .*Did you mean `opt\.lr`\?/],
    [['--set', 'opt.lr=fast'], /Invalid value for `opt\.lr`: expected a number like nested-config's default 0\.01, received "fast"/],
    [['--set', 'model={"unitz":[1]}'], /Unknown config key `model\.unitz`/],
    [['--set', '__proto__={"epochs":5}'], /Unknown config key `__proto__` for nested-config/],
    [['--set', 'model.units=3'], /Invalid value for `model\.units`: expected an array like nested-config's default \[32\], received 3/],
    // Every experiment's `samples` and `epochs`: labbook's message, not danfo's ParamError from head(-5).
    [['--set', 'samples=-5'], /^labbook: Invalid value for `samples`: expected a whole number of training examples, 0 or more \(0 = all\), received -5\./],
    [['--set', 'samples=2.5'], /Invalid value for `samples`: expected a whole number .*received 2\.5\./],
    [['--set', 'epochs=0'], /^labbook: Invalid value for `epochs`: expected a positive integer \(passes over the training data\), received 0\./],
  ])('%j is one line and exit 2, and records no run', async (args, message) => {
    const db = tempDb();
    const result = await runCli(['run', FILE, ...args, '--backend', 'cpu', '--quiet', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(db)).toBe(false); // checked before a registry is even created
  }, 60_000);
});

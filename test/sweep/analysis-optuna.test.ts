// paramImportance equals Optuna 5's PED-ANOVA on the same trials (made by test/fixtures/sweep/make_importance_reference.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramImportance } from '../../kernel-lib/src/sweep/analysis';
import { pedAnovaRaw } from '../../kernel-lib/src/sweep/analysis/ped-anova';
import type { SearchSpace } from '../../kernel-lib/src/sweep/space';
import type { Trial } from '../../kernel-lib/src/sweep/trial';

interface Case {
  name: string;
  direction: 'minimize' | 'maximize';
  space: SearchSpace;
  trials: Omit<Trial, 'intermediate'>[];
  raw: { [param: string]: number };
  importance: { [param: string]: number };
}
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/sweep/importance_reference.json'), 'utf8')) as { optuna: string; cases: Case[] };

// Optuna sums with numpy's dot product; only the order of additions may differ.
function expectClose(actual: { [k: string]: number }, expected: { [k: string]: number }): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(Math.abs(actual[k] - v), k).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(v));
}

describe(`paramImportance against Optuna ${reference.optuna}'s PedAnovaImportanceEvaluator`, () => {
  it('has every kind of case', () => {
    expect(reference.cases.length).toBeGreaterThanOrEqual(5);
  });
  for (const c of reference.cases) {
    const trials: Trial[] = c.trials.map((t) => ({ ...t, intermediate: [] }));
    it(`${c.name}: raw importances equal evaluate()`, () => {
      expectClose(pedAnovaRaw(c.space, trials, c.direction), c.raw);
    });
    it(`${c.name}: normalised importances equal get_param_importances()`, () => {
      expectClose(paramImportance(c.space, trials, c.direction), c.importance);
    });
  }
});

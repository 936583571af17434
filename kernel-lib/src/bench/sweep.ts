/**
 * The sweep benchmark: TPE against random search on a known objective (best value found after N
 * trials, mean over seeds: TPE must beat random), and the queue's own cost per trial on PostgreSQL
 * (claim + complete of a no-op trial, LABBOOK_TEST_PG; the sync benchmark measures the sync part).
 * Optuna's TPE and random search on the same objective are the reference, where a Python with
 * optuna is found (LABBOOK_OPTUNA_PYTHON, else /tmp/optuna-venv/bin/python).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withScratchDatabase } from './pg';
import { openTeamStore } from '../team/connect';
import { claimTrial, completeTrial, createTeamSweep, planFromDefinition, WAIT } from '../team/queue';
import { randomSampler, tpeSampler, uniform, type Sampler, type SearchSpace, type Trial } from '../sweep';

/** A shifted quadratic in four dimensions: its minimum 0 is at CENTER, off the middle of every range. */
const CENTER = [1.3, -2.1, 0.7, 3.2];
const SPACE: SearchSpace = { x0: uniform(-5, 5), x1: uniform(-5, 5), x2: uniform(-5, 5), x3: uniform(-5, 5) };
const objective = (params: Trial['params']): number => CENTER.reduce((sum, c, i) => sum + ((params[`x${i}`] as number) - c) ** 2, 0);

export interface SweepFigures {
  objective: string;
  trials: number;
  seeds: number;
  /** Mean over seeds of the best value found after `trials` trials (lower is better), and after half of them. */
  meanBest: { tpe: number; random: number; tpeHalf: number; randomHalf: number };
  /** Optuna's figures on the same objective, trials and seed numbers (its own RNG), or why there are none. */
  optuna: { tpe: number; random: number; tpeHalf: number; randomHalf: number; version: string } | { error: string };
  /** Seeds on which TPE's best beat random's. */
  tpeWins: number;
  tpeBeatsRandom: boolean;
  proposeMsPerTrial: { tpe: number; random: number };
  queue: { trials: number; msPerTrial: number } | { error: string };
}

export async function benchSweep(options: { trials?: number; seeds?: number; pg?: string } = {}): Promise<SweepFigures> {
  const trials = options.trials ?? 60;
  const seeds = options.seeds ?? 10;
  const tpe: number[][] = [];
  const random: number[][] = [];
  let tpeMs = 0;
  let randomMs = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    let started = performance.now();
    tpe.push(bestSoFar(runPure(tpeSampler(), seed, trials)));
    tpeMs += performance.now() - started;
    started = performance.now();
    random.push(bestSoFar(runPure(randomSampler(), seed, trials)));
    randomMs += performance.now() - started;
  }
  const mean = (runs: number[][], at: number) => round(runs.reduce((s, r) => s + r[at - 1], 0) / runs.length);
  const half = Math.floor(trials / 2);
  const tpeWins = tpe.filter((r, i) => r[trials - 1] < random[i][trials - 1]).length;
  const meanBest = { tpe: mean(tpe, trials), random: mean(random, trials), tpeHalf: mean(tpe, half), randomHalf: mean(random, half) };
  return {
    objective: `sum((x_i - c_i)^2), x in [-5, 5]^4, c = [${CENTER.join(', ')}]`,
    trials,
    seeds,
    meanBest,
    optuna: optunaFigures(trials, seeds),
    tpeWins,
    tpeBeatsRandom: meanBest.tpe < meanBest.random,
    proposeMsPerTrial: { tpe: round(tpeMs / (seeds * trials)), random: round(randomMs / (seeds * trials)) },
    queue: await queueOverhead(options.pg).catch((error: Error) => ({ error: error.message })),
  };
}

function optunaFigures(trials: number, seeds: number): SweepFigures['optuna'] {
  const python = process.env.LABBOOK_OPTUNA_PYTHON ?? '/tmp/optuna-venv/bin/python';
  if (!existsSync(python)) return { error: `no Python with optuna at ${python} (set LABBOOK_OPTUNA_PYTHON)` };
  const script = join(__dirname, '..', '..', 'src', 'bench', 'optuna_sweep.py');
  try {
    return JSON.parse(execFileSync(python, [script, String(trials), String(seeds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 }));
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}

/** A sequential sweep in memory: each trial proposed from every trial before it, then scored. */
function runPure(sampler: Sampler, seed: number, n: number): Trial[] {
  const done: Trial[] = [];
  for (let number = 0; number < n; number++) {
    const params = sampler.propose({ space: SPACE, seed, number, trials: done, direction: 'minimize' })!;
    done.push({ number, params, state: 'complete', value: objective(params), intermediate: [] });
  }
  return done;
}

function bestSoFar(trials: Trial[]): number[] {
  let best = Infinity;
  return trials.map((t) => (best = Math.min(best, t.value as number)));
}

/** Claim and complete no-op trials of a random sweep in a fresh database: what the queue adds to every trial. */
async function queueOverhead(admin: string | undefined): Promise<{ trials: number; msPerTrial: number }> {
  const n = 200;
  return withScratchDatabase('sweep', async (url) => {
    const store = await openTeamStore(url, { max: 1 });
    try {
      const definition = { space: SPACE, sampler: 'random', objective: { direction: 'minimize' }, budget: { trials: n } } as const;
      const sweepId = await createTeamSweep(store.pool, { experiment: 'bench', definition: definition as never, seed: 1, maxAttempts: 3 });
      const plan = planFromDefinition(definition as never, 1);
      const started = performance.now();
      let done = 0;
      for (;;) {
        const claim = await claimTrial(store.pool, sweepId, 'bench', { ...plan, staleAfterMs: 60_000 });
        if (claim === null || claim === WAIT) break;
        await completeTrial(store.pool, claim, 'bench', { state: 'complete', value: objective(claim.params), reason: null, runId: null });
        done++;
      }
      return { trials: done, msPerTrial: round((performance.now() - started) / done) };
    } finally {
      await store.close();
    }
  }, admin);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

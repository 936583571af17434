/**
 * The training benchmark: samples/s of each zoo model with labbook (1 thread and its default
 * threads) beside PyTorch 1.13, PyTorch 2 and Keras 3 on TensorFlow (1 and 2 threads each), every
 * side in its own child processes, medians of runs taken in alternation.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CASES, type LabbookChildFigures } from './train-labbook';
import { NOT_INSTALLED, runReference, type ReferenceName } from './train-refs';

type Loops = { plain: number; train: number };
/** One reference thread count's median samples/s, an error a run printed, or null when no run gave a figure. */
type RefFigure = number | string | null;

export interface TrainModelFigures {
  title: string;
  /** threads1Reported: the addon's own thread count in the LABBOOK_NATIVE_THREADS=1 child (shows the variable was honoured). */
  labbook: {
    backend: string;
    threads1: Loops;
    threadsDefault: Loops;
    /** Two threads asked for (LABBOOK_NATIVE_THREADS=2), as the references' t2 columns. */
    threads2: Loops;
    defaultThreads: number | null;
    threads1Reported: number | null;
    isa: string | null;
    otherBackends?: { [backend: string]: Loops };
  };
  torch113: { t1: RefFigure; t2: RefFigure; version: string } | string;
  torch2: { t1: RefFigure; t2: RefFigure; version: string } | string;
  /** jit: which jit_compile mode each thread count's figure is (the faster in the first round). */
  keras: { t1: RefFigure; t2: RefFigure; versions: { [pkg: string]: string }; jit: { t1: string | null; t2: string | null } } | string;
  /** The fastest reference figure of this run (plain loops, any reference, any thread count). */
  best: { value: number; who: string } | null;
  /** labbook's plain loop on its default threads / best.value. */
  ratio: number | null;
}

export interface TrainBench {
  machine: { cpu: string; cores: number; loadBefore: number[]; loadAfter: number[]; seconds: number; repeats: number; order: string[] };
  models: { [model: string]: TrainModelFigures };
}

const LABBOOK_CHILD = join(__dirname, 'train-labbook.js');
const REFERENCES: ReferenceName[] = ['torch113', 'torch2', 'keras'];
const THREADS = [1, 2];

/** labbook's figures from a fresh process: `threads` sets LABBOOK_NATIVE_THREADS, null leaves the addon its default. */
function labbookChild(backend: string, threads: number | null, seconds: number, models: string[]): LabbookChildFigures {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (threads === null) delete env.LABBOOK_NATIVE_THREADS;
  else env.LABBOOK_NATIVE_THREADS = String(threads);
  const child = spawnSync(process.execPath, [LABBOOK_CHILD, backend, String(seconds), ...models], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.status !== 0) throw new Error(`labbook's training benchmark failed on ${backend}: ${child.stderr.trim().split('\n').pop() ?? child.error?.message}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as LabbookChildFigures;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One stderr line per child run (stdout stays the JSON): when it ran and the load then, to tell which runs a busy machine disturbed. */
function progress(round: number, column: string): void {
  process.stderr.write(`bench train: ${new Date().toISOString()} round ${round + 1} ${column} load ${loadavg()[0].toFixed(2)}\n`);
}

const round = (v: number | null, digits = 1): number | null => (v === null ? null : Number(v.toFixed(digits)));

/** Collected samples per column key (`torch2/t1/mlp`), and the first error seen where a run gave none. */
class Samples {
  values: { [key: string]: number[] } = {};
  errors: { [key: string]: string } = {};
  add(key: string, value: unknown): void {
    if (typeof value === 'number') (this.values[key] ??= []).push(value);
    else if (typeof value === 'string') this.errors[key] ??= value;
  }
  figure(key: string): RefFigure {
    return round(median(this.values[key] ?? [])) ?? this.errors[key] ?? null;
  }
}

/**
 * Each figure is the median of `repeats` runs (default 3) taken in alternation, labbook 1 thread,
 * labbook default, then each reference at 1 and 2 threads, round after round: one measurement
 * varies by 20-30% here, and a busy moment should slow every column alike. Keras runs both
 * jit_compile modes in the first round and, to keep the bench near 10 minutes, only the faster
 * one after.
 */
export async function benchTrain(options: { seconds?: number; backends?: string[]; models?: string[]; repeats?: number } = {}): Promise<TrainBench> {
  const seconds = options.seconds ?? 2;
  const repeats = Math.max(1, options.repeats ?? 3);
  const cases = CASES.filter((k) => !options.models || options.models.includes(k.name));
  const names = cases.map((c) => c.name);
  const [backend, ...otherBackends] = options.backends ?? ['native'];
  const loadBefore = loadavg();
  const samples = new Samples();
  const missing: { [ref: string]: string } = {};
  const versions: { [ref: string]: { [pkg: string]: string } } = {};
  const jit: { [key: string]: 'on' | 'off' } = {};
  let labbook: { backend: string; defaultThreads: number | null; threads1Reported: number | null; isa: string | null } | null = null;
  let threads1Reported: number | null = null;
  const order: string[] = [];
  for (let r = 0; r < repeats; ++r) {
    for (const [column, threads] of [['labbook/t1', 1], ['labbook/default', null], ['labbook/t2', 2]] as const) {
      if (r === 0) order.push(column);
      progress(r, column);
      const run = labbookChild(backend, threads, seconds, names);
      if (threads === null) labbook = { backend: run.backend, defaultThreads: run.threads, threads1Reported, isa: run.isa };
      else if (threads === 1) threads1Reported = run.threads;
      for (const [model, loops] of Object.entries(run.figures)) for (const loop of ['plain', 'train'] as const) samples.add(`${column}/${loop}/${model}`, loops[loop]);
    }
    for (const other of otherBackends) {
      if (r === 0) order.push(`labbook/${other}`);
      progress(r, `labbook/${other}`);
      const run = labbookChild(other, null, seconds, names);
      for (const [model, loops] of Object.entries(run.figures)) for (const loop of ['plain', 'train'] as const) samples.add(`labbook/${other}/${loop}/${model}`, loops[loop]);
    }
    for (const ref of REFERENCES) {
      for (const threads of THREADS) {
        if (missing[ref] !== undefined) continue;
        progress(r, `${ref}/t${threads}`);
        const specs = ref === 'keras' && r > 0 ? names.map((m) => `${m}@${jit[`t${threads}/${m}`] ?? 'off'}`) : names;
        const run = runReference(ref, seconds, threads, specs);
        if (!run.ok && run.reason === NOT_INSTALLED) {
          missing[ref] = run.reason;
          continue;
        }
        if (r === 0) order.push(`${ref}/t${threads}`);
        if (!run.ok) {
          for (const m of names) samples.add(`${ref}/t${threads}/${m}`, run.reason);
          continue;
        }
        versions[ref] = run.versions;
        for (const [model, value] of Object.entries(run.figures)) {
          if (ref !== 'keras') samples.add(`${ref}/t${threads}/${model}`, value);
          else samples.add(`${ref}/t${threads}/${model}`, kerasValue(value as { [mode: string]: unknown }, jit, `t${threads}/${model}`));
        }
      }
    }
  }
  const models: { [model: string]: TrainModelFigures } = {};
  for (const c of cases) {
    const loops = (column: string): Loops => ({ plain: round(median(samples.values[`${column}/plain/${c.name}`] ?? []))!, train: round(median(samples.values[`${column}/train/${c.name}`] ?? []))! });
    const ref = (name: ReferenceName) => ({ t1: samples.figure(`${name}/t1/${c.name}`), t2: samples.figure(`${name}/t2/${c.name}`) });
    const torchVersion = (name: ReferenceName) => versions[name]?.torch ?? 'unknown';
    const figures: TrainModelFigures = {
      title: c.title,
      labbook: { ...labbook!, threads1: loops('labbook/t1'), threadsDefault: loops('labbook/default'), threads2: loops('labbook/t2') },
      torch113: missing.torch113 ?? { ...ref('torch113'), version: torchVersion('torch113') },
      torch2: missing.torch2 ?? { ...ref('torch2'), version: torchVersion('torch2') },
      keras: missing.keras ?? { ...ref('keras'), versions: versions.keras ?? {}, jit: { t1: jit[`t1/${c.name}`] ?? null, t2: jit[`t2/${c.name}`] ?? null } },
      best: null,
      ratio: null,
    };
    if (otherBackends.length > 0) figures.labbook.otherBackends = Object.fromEntries(otherBackends.map((b) => [b, loops(`labbook/${b}`)]));
    for (const name of REFERENCES) {
      const columns = figures[name];
      if (typeof columns === 'string') continue;
      for (const t of ['t1', 't2'] as const) {
        const value = columns[t];
        if (typeof value === 'number' && (figures.best === null || value > figures.best.value)) {
          figures.best = { value, who: `${name} ${t}${name === 'keras' ? ` (jit ${figures.keras && typeof figures.keras !== 'string' ? figures.keras.jit[t] : '?'})` : ''}` };
        }
      }
    }
    figures.ratio = figures.best ? round(figures.labbook.threadsDefault.plain / figures.best.value, 3) : null;
    models[c.name] = figures;
  }
  const cpu = cpus();
  return { machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, loadBefore, loadAfter: loadavg(), seconds, repeats, order }, models };
}

/** Keras's figure for this round: the first round picks the faster jit mode per model and thread count, later rounds report that one. */
function kerasValue(modes: { [mode: string]: unknown }, jit: { [key: string]: 'on' | 'off' }, key: string): unknown {
  if (jit[key] === undefined) {
    const numeric = (['off', 'on'] as const).filter((m) => typeof modes[m] === 'number');
    if (numeric.length === 0) return modes.off ?? modes.on;
    jit[key] = numeric.reduce((a, b) => ((modes[b] as number) > (modes[a] as number) ? b : a));
  }
  return modes[jit[key]];
}

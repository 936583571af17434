/**
 * `npm run bench -- NAME... [--backends=native,wasm] [--models=mlp,cnn] [--seconds=2] [--repeats=3] [--notebooks=01,06] [--runs=1000000] [--runtimes=tfjs,onnx] [--monitor=on,off]`: runs
 * benchmarks and prints their figures as one JSON document.
 */
import { benchCli } from './cli';
import { benchNotebooks } from './notebooks';
import { benchRegistry } from './registry';
import { benchScale } from './scale';
import { benchTrain } from './train';

type Options = { backends?: string[]; models?: string[]; runtimes?: string[]; monitor?: string[]; seconds?: number; repeats?: number; notebooks?: string[]; runs?: number };

const BENCHES: { [name: string]: (options: Options) => unknown } = {
  cli: (options) => benchCli({ repeats: options.repeats }),
  registry: () => benchRegistry(),
  train: async (options) => benchTrain(options),
  notebooks: (options) => benchNotebooks({ only: options.notebooks }),
  sync: async () => (await import('./sync')).benchSync(),
  sweep: async () => (await import('./sweep')).benchSweep(),
  scale: (options) => benchScale({ runs: options.runs }),
  serve: async (options) => (await import('./serve')).benchServe({ seconds: options.seconds, repeats: options.repeats, models: options.models, runtimes: options.runtimes, monitor: options.monitor }),
  team: async (options) => (await import('./team')).benchTeam({ runs: options.runs, repeats: options.repeats }),
  ui: async (options) => (await import('./ui')).benchUi({ runs: options.runs, repeats: options.repeats }),
};

async function main(args: string[]): Promise<number> {
  const options: Options = {};
  const names: string[] = [];
  for (const arg of args) {
    const flag = /^--(backends|models|seconds|repeats|notebooks|runs|runtimes|monitor)=(.+)$/.exec(arg);
    if (flag === null) names.push(arg);
    else if (flag[1] === 'seconds' || flag[1] === 'repeats' || flag[1] === 'runs') options[flag[1]] = Number(flag[2]);
    else options[flag[1] as 'backends' | 'models' | 'notebooks' | 'runtimes' | 'monitor'] = flag[2].split(',');
  }
  // The notebooks benchmark takes many minutes (18 notebook executions), scale builds a million-run registry, serve loads servers for minutes,
  // ui writes 10,000 runs and drives Chromium: only when named.
  const chosen = names.length > 0 ? names : Object.keys(BENCHES).filter((n) => n !== 'notebooks' && n !== 'scale' && n !== 'serve' && n !== 'ui');
  const unknown = chosen.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark ${unknown.join(', ')}: expected one of ${Object.keys(BENCHES).join(', ')}.\n`);
    return 2;
  }
  const figures: { [name: string]: unknown } = {};
  for (const name of chosen) figures[name] = await BENCHES[name](options);
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

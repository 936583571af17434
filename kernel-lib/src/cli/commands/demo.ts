/**
 * `labbook demo`: records a small, fully seeded run (linear regression by gradient descent on
 * generated data) and prints it — the quick start's proof that the registry works end to end.
 */
import { sha256 } from '../../repro/hash';
import { createRng } from '../../repro/rng';
import { checkSeed } from '../../repro/seed';
import { parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { renderRun, showJson } from './show';

const usage = 'labbook demo [--seed N] [--epochs N] [--db PATH] [--json]';

export const demo: Command = {
  name: 'demo',
  summary: 'record a small seeded demo run and print it',
  usage,
  run(argv) {
    const { values } = parse(argv, { seed: { type: 'string' }, epochs: { type: 'string' } }, usage);
    const seed = checkSeed(toInt('--seed', values.seed, 0) ?? 7);
    const config = { model: 'linear', lr: 0.1, epochs: toInt('--epochs', values.epochs) ?? 60, samples: 256, noise: 0.1 };
    return withRegistry(values.db, async (registry) => {
      const id = await registry.withRun({ experiment: 'demo-linear', config, seed, codeFiles: [__filename] }, (run) => {
        const rng = createRng(run.seed);
        const xs = Float64Array.from({ length: config.samples }, () => rng.next() * 2 - 1);
        const ys = xs.map((x) => 3 * x - 2 + config.noise * rng.normal());
        run.logDataset({ name: 'train', sha256: sha256(new Uint8Array([...new Uint8Array(xs.buffer), ...new Uint8Array(ys.buffer)])), rows: xs.length, columns: 2, source: 'generated: y = 3x - 2 + noise' });
        let w = 0;
        let b = 0;
        for (let epoch = 0; epoch < config.epochs; epoch++) {
          let gw = 0;
          let gb = 0;
          let loss = 0;
          for (let i = 0; i < xs.length; i++) {
            const err = w * xs[i] + b - ys[i];
            loss += err * err;
            gw += 2 * err * xs[i];
            gb += 2 * err;
          }
          w -= (config.lr * gw) / xs.length;
          b -= (config.lr * gb) / xs.length;
          run.log({ loss: loss / xs.length, w, b }, epoch);
        }
        run.saveCheckpoint(new Uint8Array(Float64Array.of(w, b).buffer), { step: config.epochs - 1 });
        return run.id;
    });
    const record = registry.getRun(id);
    if (values.json) printJson(showJson(record));
    else print(`${renderRun(record)}\n\nregistry: ${registry.path}\nnext: npx labbook runs   |   npx labbook show ${id} --json`);
    return 0;
    }, true);
  },
};

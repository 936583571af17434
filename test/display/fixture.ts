/** A real registry with runs whose names, config and tags try to inject markup. */
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { tempDb } from '../helpers';

export const EVIL = '<script>alert("x")</script>';

export interface Recorded {
  db: string;
  registry: Registry;
  ids: number[];
}

/** Two finished runs of `experiment` with epoch curves (run 2 without validation at epoch 1) and one failed run. */
export function recordRuns(db = tempDb(), experiment = 'demo'): Recorded {
  const registry = openRegistry({ db });
  const ids: number[] = [];
  const curves = [
    { lr: 0.1, loss: [1.0, 0.6, 0.4], val: [1.1, 0.7, 0.5], acc: [0.5, 0.7, 0.8] },
    { lr: 0.01, loss: [1.2, 0.9, 0.8], val: [1.3, NaN, 0.9], acc: [0.4, 0.5, 0.6] },
  ];
  curves.forEach((c, i) => {
    const run = registry.startRun({
      experiment,
      name: i === 0 ? `fast ${EVIL}` : undefined,
      config: { lr: c.lr, optimizer: i === 0 ? EVIL : 'sgd', model: { units: 16 * (i + 1) } },
      seed: 7 + i,
      tags: { note: EVIL },
    });
    c.loss.forEach((loss, epoch) => run.log({ loss, val_loss: c.val[epoch], accuracy: c.acc[epoch], val_accuracy: c.acc[epoch] - 0.05 }, epoch));
    run.logDataset({ name: 'train', sha256: 'ab'.repeat(32), rows: 100, columns: 5, source: EVIL });
    run.saveCheckpoint(new Uint8Array([1, 2, 3, i]), { step: 30 });
    run.end();
    ids.push(run.id);
  });
  const failed = registry.startRun({ experiment, config: { lr: 5, optimizer: 'sgd', model: { units: 16 } }, seed: 9 });
  failed.log({ loss: 9 }, 0);
  failed.fail(new Error(`diverged ${EVIL}`));
  ids.push(failed.id);
  return { db, registry, ids };
}

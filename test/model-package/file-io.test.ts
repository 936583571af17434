// Stock tfjs `file://` save and load in Node once labbook is loaded (tfjs alone has no file handler there).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runNode, tempDir } from '../helpers';

describe("model.save('file://...') and tf.loadLayersModel in a real process", () => {
  it('writes model.json + weights.bin and loads a model that predicts identically', async () => {
    const dir = join(tempDir(), 'saved');
    const script = `
      require(${JSON.stringify(join(ROOT, 'kernel-lib', 'dist'))});
      const tf = require('@tensorflow/tfjs');
      (async () => {
        const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
        await model.save('file://' + ${JSON.stringify(dir)});
        const loaded = await tf.loadLayersModel('file://' + ${JSON.stringify(dir)} + '/model.json');
        const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);
        process.stdout.write(JSON.stringify([model.predict(x).arraySync(), loaded.predict(x).arraySync()]));
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const result = await runNode(['-e', script]);
    expect(result.code, result.stderr).toBe(0);
    const [before, after] = JSON.parse(result.stdout) as number[][][];
    expect(after).toEqual(before);
    expect(existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'weights.bin'))).toBe(true);
  }, 60_000);
});

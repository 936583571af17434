// `labbook models export REF DIR`: a registered version written as tfjs layers or ONNX through the real CLI, read back hash-verified, predicting as the version does.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, openRegistry } from '../../kernel-lib/src';
import { loadExport, loadOnnx } from '../../kernel-lib/src/export';
import { registerModel, setAlias } from '../../kernel-lib/src/model-registry';
import { expectMistakes, runCli, tempDb, tempDir } from '../helpers';
import { tinyRun } from './fixture';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('labbook models export', () => {
  let db: string;
  const root = tempDir('labbook-models-export-');
  const x = [
    [0.1, -0.4, 0.9],
    [1.5, 0.2, -0.3],
  ];
  let want: Float32Array;

  beforeAll(async () => {
    db = tempDb();
    const registry = openRegistry({ db });
    const id = await tinyRun(registry, 4);
    setAlias(registry, 'tiny', 'champion', registerModel(registry, 'tiny', id).version);
    registry.close();
    const ready = await loadModel('tiny@champion', { db });
    want = (ready.model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array;
    ready.dispose();
  });

  it('writes tfjs layers (quantized when asked) that predict as the version does', async () => {
    for (const quantize of [null, 'float16']) {
      const dir = join(root, `tfjs-${quantize}`);
      const result = await runCli(['models', 'export', 'tiny@champion', dir, ...(quantize ? ['--quantize', quantize] : []), '--db', db, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout);
      expect(out).toMatchObject({ model: 'tiny@champion', format: 'tfjs', quantize, dir });
      expect(out.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['model.json', 'group1-shard1of1.bin']));
      const { model, sidecar } = await loadExport(dir);
      expect(sidecar.quantization ?? null).toBe(quantize);
      const got = (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
      expect(maxDiff(got, want)).toBeLessThanOrEqual(quantize ? 1e-2 : 1e-6);
      model.dispose();
    }
  });

  it('writes ONNX, int8 when asked, that onnxruntime runs as the version predicts', async () => {
    for (const quantize of [null, 'int8']) {
      const dir = join(root, `onnx-${quantize}`);
      const result = await runCli(['models', 'export', 'tiny/1', dir, '--format', 'onnx', ...(quantize ? ['--quantize', quantize] : []), '--db', db]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^exported tiny/1 \\(run \\d+\\) as onnx${quantize ? ' int8' : ''} to `));
      expect(result.stdout).toMatch(/model\.onnx +\d+ +[0-9a-f]{64}/);
      const model = await loadOnnx(dir);
      const got = await model.run(Float32Array.from(x.flat()), [2, 3]);
      await model.close();
      expect(maxDiff(got, want)).toBeLessThanOrEqual(quantize ? 5e-2 : 1e-5);
    }
  });

  it('refuses what it cannot write with one line naming the fix', async () => {
    await expectMistakes(
      [
        [['models', 'export', 'tiny@champion', join(root, 'x'), '--format', 'pt'], /^labbook: Invalid value for `--format`: expected tfjs or onnx, received "pt"\./],
        [['models', 'export', 'tiny@champion', join(root, 'x'), '--quantize', 'int8'], /expected float16 or uint8, received "int8"\. int8 is ONNX only: add --format onnx\./],
        [['models', 'export', 'tiny@champion', join(root, 'x'), '--format', 'onnx', '--quantize', 'uint8'], /expected int8, received "uint8"\. float16 and uint8 are tfjs only/],
        [['models', 'export', 'tiny@champion'], /Invalid arguments for `models export`: expected NAME\[@ALIAS\|\/VERSION\] DIR, received "tiny@champion"/],
        [['models', 'list', '--format', 'onnx'], /--format and --quantize go with `models export`/],
        [['models', 'export', 'nope@champion', join(root, 'x')], /nope/],
      ],
      db,
    );
  });
});

/** The onnx serve runtime: the ReadyModel exported to ONNX once per weights (cached by content hash), run by onnxruntime-node, outputs turned into predictions as tfjs's are. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rowsToPredictions } from '../model-package/load';
import { inputTensor } from '../model-package/inputs';
import type { ReadyModel } from '../model-package';
import type { ServeRuntime } from './runtime';

export async function onnxRuntime(model: ReadyModel, cacheRoot: string): Promise<ServeRuntime> {
  // Required here: the export's protobuf writer and onnxruntime load only for an onnx server.
  const onnx = require('../export/onnx') as typeof import('../export/onnx');
  const dir = join(cacheRoot, contentKey(model));
  if (!existsSync(dir)) {
    // Written beside and renamed into place, so a server stopped mid-export never leaves a half folder that looks complete.
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      await onnx.exportOnnx(model, partial);
      if (!existsSync(dir)) renameSync(partial, dir);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  const session = await onnx.loadOnnx(dir);
  const perExample = model.model.inputs[0].shape.slice(1) as number[];
  return {
    name: 'onnx',
    async predict(examples) {
      // The same input tensor tfjs would get (token ids become exact floats: ids stay far below 2^24).
      const x = inputTensor(examples as never, model.input, { pipeline: model.pipeline, vocabulary: model.vocabulary });
      let data: Float32Array;
      try {
        data = x.dtype === 'float32' ? (x.dataSync() as Float32Array) : Float32Array.from(x.dataSync());
      } finally {
        x.dispose();
      }
      const n = data.length / perExample.reduce((a, b) => a * b, 1);
      const out = await session.run(data, [n, ...perExample]);
      return rowsToPredictions(outputRows(out, n, model.outputs === 'logits'), model.task, model.labels);
    },
    close: () => void session.close().catch(() => {}),
  };
}

/** The flat output as one row per example, softmaxed as tfjs's predict() does for a logits model. */
function outputRows(out: Float32Array, n: number, logits: boolean): number[][] {
  const width = out.length / n;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(out.subarray(i * width, (i + 1) * width));
    if (logits) {
      const max = Math.max(...row);
      const exps = row.map((v) => Math.exp(v - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      rows.push(exps.map((e) => e / sum));
    } else rows.push(row);
  }
  return rows;
}

/** A hash of the topology and every weight's bytes: the same weights reuse one export, changed weights never do. */
function contentKey(model: ReadyModel): string {
  const hash = createHash('sha256').update(JSON.stringify(model.model.toJSON(null, false)));
  for (const w of model.model.getWeights()) {
    const data = w.dataSync();
    hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex').slice(0, 32);
}

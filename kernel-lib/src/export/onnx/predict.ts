/** Raw examples through a ReadyModel's own input preparation, run by an ONNX session, answered as ReadyModel.predict() answers. */
import { inputTensor } from '../../model-package/inputs';
import { rowsToPredictions, type Prediction, type ReadyModel } from '../../model-package/load';
import type { OnnxModel } from './load';

/** What `model.predict(examples)` gives, with the network's forward pass run by `session` (an ONNX export of it). */
export async function onnxPredict(session: OnnxModel, model: ReadyModel, examples: unknown): Promise<Prediction[]> {
  // The same input tensor tfjs would get (token ids become exact floats: ids stay far below 2^24).
  const x = inputTensor(examples as never, model.input, { pipeline: model.pipeline, vocabulary: model.vocabulary });
  let out: Float32Array;
  const batch = x.shape[0];
  try {
    const data = x.dtype === 'float32' ? (x.dataSync() as Float32Array) : Float32Array.from(x.dataSync());
    out = await session.run(data, [batch, ...session.inputShape]);
  } finally {
    if (x !== examples) x.dispose();
  }
  return rowsToPredictions(outputRows(out, batch, model.outputs === 'logits'), model.task, model.labels);
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

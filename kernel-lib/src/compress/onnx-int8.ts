/** The 'onnx-int8' compression: the ONNX int8 export, its dequantized weights for the child's checkpoint, and its measures as onnxruntime runs it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { exportOnnx, type ExportOnnxResult } from '../export/onnx/export';
import { int8Symmetric } from '../export/onnx/int8';
import { loadOnnx } from '../export/onnx/load';
import { onnxPredict } from '../export/onnx/predict';
import type { ReadyModel } from '../model-package/load';
import type { Json } from '../registry/types';
import { sha256 } from '../repro/hash';
import { median, score, scorePredictions, type EvaluationSet, type Score } from './evaluate';

/** What the child's config says of the scheme: the one int8.ts implements (onnxruntime's quantizer defaults for weights). */
export const ONNX_INT8_QUANTIZATION: { [key: string]: Json } = {
  dtype: 'int8',
  scheme: 'symmetric',
  granularity: 'per-tensor',
  range: '[-127, 127], zero point 0, scale max|w|/127',
  tensors: 'float32 weights of rank 2 or more (kernels, recurrent kernels, embeddings); biases and norm scales stay float32',
};


export interface OnnxInt8Measures {
  score: Score;
  sourceScore: Score;
  latency: number;
  sourceLatency: number;
  size: number;
  sizeSource: number;
  gzip: number;
  gzipSource: number;
  /** The int8 export's folder and the files to store as `onnx/<file>`. */
  exported: ExportOnnxResult;
  files: { name: string; bytes: number; sha256: string }[];
}

/**
 * Sets `copy`'s weights to what the int8 export's DequantizeLinear nodes compute (code × scale in
 * float32, for exactly the tensors graph.ts's weight() quantizes: float32, rank >= 2). The export
 * quantizes each such tfjs weight whole (transposed or gate-reordered, the same values), and the
 * scale depends only on max|w|, so quantizing the tfjs tensor gives the same per-value result.
 */
export function dequantizeInt8(model: tf.LayersModel): void {
  const tensors = model.weights.map((w) => {
    const t = w.read();
    if (t.dtype !== 'float32' || t.shape.length < 2) return t.clone();
    const { codes, scale } = int8Symmetric(t.dataSync() as Float32Array);
    return tf.tensor(Float32Array.from(codes, (c) => c * scale), t.shape, 'float32');
  });
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Exports the source to ONNX as float32 and as int8 under `work`, and measures both: the source on
 * tfjs (what it is) and the int8 model in onnxruntime at its default optimization (what a
 * deployment of the file gets), scored on the same set; latency is each side's median over
 * `repeats` full-set runs, interleaved, after one untimed run each.
 */
export async function measureOnnxInt8(base: ReadyModel, set: EvaluationSet, repeats: number, work: string): Promise<OnnxInt8Measures> {
  const float = await exportOnnx(base, join(work, 'onnx-float32'));
  const exported = await exportOnnx(base, join(work, 'onnx-int8'), { quantize: 'int8' });
  const session = await loadOnnx(exported.dir);
  try {
    const predictOnnx = () => onnxPredict(session, base, set.x);
    const sourceScore = score(base, set);
    const compressed = scorePredictions(await predictOnnx(), base.task, base.labels, set);
    const times: [number[], number[]] = [[], []];
    base.predict(set.x);
    for (let r = 0; r < repeats; r++) {
      let start = performance.now();
      await predictOnnx();
      times[0].push(performance.now() - start);
      start = performance.now();
      base.predict(set.x);
      times[1].push(performance.now() - start);
    }
    const onnxFile = readFileSync(exported.path);
    const files = [
      { name: exported.sidecar.onnx.file, bytes: exported.bytes, sha256: exported.sha256 },
      { name: 'labbook.json', ...fileInfo(join(exported.dir, 'labbook.json')) },
    ];
    return {
      score: compressed,
      sourceScore,
      latency: median(times[0]),
      sourceLatency: median(times[1]),
      size: exported.bytes,
      sizeSource: float.bytes,
      gzip: gzipSync(onnxFile, { level: 9 }).length,
      gzipSource: gzipSync(readFileSync(float.path), { level: 9 }).length,
      exported,
      files,
    };
  } finally {
    await session.close();
  }
}

function fileInfo(path: string): { bytes: number; sha256: string } {
  const bytes = readFileSync(path);
  return { bytes: bytes.length, sha256: sha256(bytes) };
}

/** exportOnnx: a run's model (or a ReadyModel, or a registered 'name@alias') as model.onnx plus a labbook.json sidecar. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../../backend/file-io';
import { invalidArgument } from '../../errors';
import { loadModel, ReadyModel } from '../../model-package/load';
import type { Registry } from '../../registry/registry';
import { serializeWeights } from '../../repro/checkpoint';
import { sha256 } from '../../repro/hash';
import { EXPORT_SIDECAR } from '../sidecar';
import { convertModel } from './convert';
import { encodeModel } from './proto';
import { onnxPaths, readOnnxSidecar, type OnnxSidecar } from './sidecar';

export interface ExportOnnxOptions {
  /** For a run id: the weights at the end of training (default) or the best epoch's. */
  checkpoint?: 'final' | 'best';
  /** 'int8': weight matrices as symmetric per-tensor int8 (about 1/4 of their float32 bytes); null or absent: float32. */
  quantize?: 'int8' | null;
  /** For a run id or a model name: an open registry, else `db` (a path), else the default registry. */
  registry?: Registry;
  db?: string;
}

export interface ExportOnnxResult {
  /** The written .onnx file. */
  path: string;
  dir: string;
  bytes: number;
  sha256: string;
  sidecar: OnnxSidecar;
}

/**
 * Writes `target` (a folder: target/model.onnx; or a path ending in .onnx) and labbook.json next
 * to it. Deterministic: the same model and options give the same bytes. A folder holding another
 * kind of export (a tfjs one's labbook.json) is refused rather than half overwritten.
 */
export async function exportOnnx(source: number | string | ReadyModel, target: string, options: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  check(source, target, options);
  const checkpoint = source instanceof ReadyModel || typeof source === 'string' ? null : (options.checkpoint ?? 'final');
  const { dir, file } = onnxPaths(target);
  readOnnxSidecar(dir);
  const ready = source instanceof ReadyModel ? source : await loadModel(source, { checkpoint: checkpoint ?? undefined, registry: options.registry, db: options.db });
  try {
    const int8 = options.quantize === 'int8';
    const proto = convertModel(ready.model, { int8 });
    const bytes = encodeModel(proto);
    const name = file ?? 'model.onnx';
    const digest = sha256(bytes);
    const sidecar: OnnxSidecar = {
      kind: 'labbook-onnx-export',
      version: 1,
      source: { runId: ready.runId, checkpoint, checkpointSha256: sha256(await serializeWeights(ready.model)) },
      task: ready.task,
      // ReadyModel keeps this private; the sidecar must say whether outputs are logits.
      outputs: ready['outputs'],
      input: ready.input,
      labels: ready.labels,
      quantization: int8 ? 'int8' : null,
      onnx: {
        file: name,
        irVersion: proto.irVersion,
        opset: proto.opset,
        inputName: proto.inputs[0].name,
        outputName: proto.outputs[0].name,
        inputShape: proto.inputs[0].dims.slice(1) as number[],
        outputShape: proto.outputs[0].dims.slice(1) as number[],
      },
      files: { [name]: digest },
    };
    mkdirSync(dir, { recursive: true });
    // The model first, the sidecar last, each by rename: a sidecar never describes a file not yet there.
    writeAtomic(join(dir, name), bytes);
    writeAtomic(join(dir, EXPORT_SIDECAR), `${JSON.stringify(sidecar, null, 2)}\n`);
    return { path: join(dir, name), dir, bytes: bytes.length, sha256: digest, sidecar };
  } finally {
    if (!(source instanceof ReadyModel)) ready.dispose();
  }
}

function check(source: unknown, target: unknown, options: ExportOnnxOptions): void {
  const named = typeof source === 'string' && source !== '';
  if (!(source instanceof ReadyModel) && !named && !(Number.isSafeInteger(source) && (source as number) > 0)) {
    throw invalidArgument('source', "a run id (a positive integer), a registered model ('NAME@ALIAS', 'NAME/VERSION') or a ReadyModel from loadModel()", source);
  }
  if (typeof target !== 'string' || target === '') throw invalidArgument('target', 'a folder path, or a file path ending in .onnx', target);
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const { checkpoint, quantize } = options;
  if (checkpoint !== undefined && checkpoint !== 'final' && checkpoint !== 'best') throw invalidArgument('checkpoint', '"final" or "best"', checkpoint);
  if (checkpoint !== undefined && !(Number.isSafeInteger(source))) {
    throw invalidArgument('checkpoint', 'no checkpoint with a ReadyModel or a model version (it already names one)', checkpoint, 'Pass the run id instead.');
  }
  if (quantize !== undefined && quantize !== null && quantize !== 'int8') throw invalidArgument('quantize', '"int8" or null', quantize);
}

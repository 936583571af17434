/** exportTfjs: a run's model (or a ReadyModel) as tfjs's layers format (model.json + weight shards) plus a labbook.json sidecar; not a loader. */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeAtomic } from '../backend/file-io';
import { describeValue, invalidArgument } from '../errors';
import { loadModel, ReadyModel } from '../model-package/load';
import type { Registry } from '../registry/registry';
import { serializeWeights } from '../repro/checkpoint';
import { sha256 } from '../repro/hash';
import { quantize, type Quantization, type QuantizationSpec } from './quantize';
import { EXPORT_SIDECAR, type ExportSidecar } from './sidecar';
import { stockTopology } from './topology';

/** tensorflowjs_converter's default --weight_shard_size_bytes (4 MiB). */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export interface ExportTfjsOptions {
  /** For a run id: the weights at the end of training (default) or the best epoch's. */
  checkpoint?: 'final' | 'best';
  /** Weights stored as float16 halves or uint8 codes (tfjs's loader decodes both); null or absent: float32. */
  quantize?: Quantization | null;
  /** Largest shard file; weights are concatenated and cut into shards of this size, as the converter does. */
  shardBytes?: number;
  /** For a run id: an open registry, else `db` (a path), else the default registry. */
  registry?: Registry;
  db?: string;
}

export interface ExportResult {
  dir: string;
  /** Every written file with its size in bytes. */
  files: { name: string; bytes: number; sha256: string }[];
  /** Bytes of the weight shards alone. */
  weightBytes: number;
  sidecar: ExportSidecar;
}

type ManifestEntry = { name: string; shape: number[]; dtype: string; quantization?: QuantizationSpec };

/**
 * Writes dir/model.json, dir/group1-shardKofN.bin and dir/labbook.json. Deterministic: the same
 * model and options give the same bytes. The folder may exist; files of an earlier export there
 * (model.json, labbook.json, group*.bin) are replaced, anything else is left alone.
 */
export async function exportTfjs(source: number | string | ReadyModel, dir: string, options: ExportTfjsOptions = {}): Promise<ExportResult> {
  const opts = checkOptions(source, dir, options);
  // A run id takes the checkpoint asked for; a model version already names its own.
  const checkpoint = typeof source === 'number' ? (opts.checkpoint ?? 'final') : null;
  const ready = source instanceof ReadyModel ? source : await loadModel(source, { checkpoint: checkpoint ?? undefined, registry: options.registry, db: options.db });
  try {
    return await write(ready, resolve(dir), opts, checkpoint);
  } finally {
    if (!(source instanceof ReadyModel)) ready.dispose();
  }
}

function checkOptions(source: unknown, dir: unknown, options: ExportTfjsOptions): ExportTfjsOptions {
  const named = typeof source === 'string' && source !== '';
  if (!(source instanceof ReadyModel) && !named && !(Number.isSafeInteger(source) && (source as number) > 0)) {
    throw invalidArgument('source', "a run id (a positive integer), a registered model ('NAME@ALIAS', 'NAME/VERSION') or a ReadyModel from loadModel()", source);
  }
  if (typeof dir !== 'string' || dir === '') throw invalidArgument('dir', 'a folder path', dir);
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const { checkpoint, quantize: q, shardBytes } = options;
  if (checkpoint !== undefined && checkpoint !== 'final' && checkpoint !== 'best') throw invalidArgument('checkpoint', '"final" or "best"', checkpoint);
  if (checkpoint !== undefined && typeof source !== 'number') {
    throw invalidArgument('checkpoint', 'no checkpoint with a ReadyModel or a model version (it already names one)', checkpoint, 'Pass the run id instead.');
  }
  if (q !== undefined && q !== null && q !== 'float16' && q !== 'uint8') throw invalidArgument('quantize', '"float16", "uint8" or null', q);
  if (shardBytes !== undefined && !(Number.isSafeInteger(shardBytes) && shardBytes >= 1024)) {
    throw invalidArgument('shardBytes', 'an integer number of bytes, at least 1024', shardBytes, `The default is ${DEFAULT_SHARD_BYTES} (4 MiB).`);
  }
  return options;
}

async function write(ready: ReadyModel, dir: string, opts: ExportTfjsOptions, checkpoint: 'final' | 'best' | null): Promise<ExportResult> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  // tfjs's own serialization: the topology and weight names any tfjs loader expects.
  await ready.model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts || artifacts.modelTopology instanceof ArrayBuffer || !artifacts.modelTopology) {
    throw invalidArgument('source', 'a LayersModel with a JSON topology', describeValue(artifacts?.modelTopology));
  }
  const { topology, requires } = stockTopology(artifacts.modelTopology as { [key: string]: unknown });
  const data = new Uint8Array(artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const { entries, bytes } = encodeWeights(data, (artifacts.weightSpecs ?? []) as ManifestEntry[], opts.quantize ?? null);
  const shardBytes = opts.shardBytes ?? DEFAULT_SHARD_BYTES;
  const count = Math.max(1, Math.ceil(bytes.length / shardBytes));
  const shards = Array.from({ length: count }, (_, i) => ({ name: `group1-shard${i + 1}of${count}.bin`, bytes: bytes.subarray(i * shardBytes, (i + 1) * shardBytes) }));
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: 'labbook exportTfjs',
    modelTopology: topology,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: entries }],
  });
  const files = [...shards, { name: 'model.json', bytes: new TextEncoder().encode(modelJson) }];
  const checkpointSha = sha256(await serializeWeights(ready.model));
  const sidecar: ExportSidecar = {
    kind: 'labbook-tfjs-export',
    version: 1,
    source: { runId: ready.runId, checkpoint, checkpointSha256: checkpointSha },
    task: ready.task,
    // ReadyModel keeps this private; the sidecar must say whether outputs are logits.
    outputs: ready['outputs'],
    input: ready.input,
    labels: ready.labels,
    quantization: opts.quantize ?? null,
    requiresLayers: requires,
    files: Object.fromEntries(files.map((f) => [f.name, sha256(f.bytes)])),
  };
  const sidecarBytes = new TextEncoder().encode(`${JSON.stringify(sidecar, null, 2)}\n`);
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) if (/^group\d+-shard\d+of\d+\.bin$/.test(old)) rmSync(join(dir, old), { force: true });
  // Shards first, model.json next, the sidecar last, each by rename: a reader never sees a
  // model.json whose shards are missing, nor a sidecar describing files not yet there.
  for (const f of files) writeAtomic(join(dir, f.name), f.bytes);
  writeAtomic(join(dir, EXPORT_SIDECAR), sidecarBytes);
  const written = [...files, { name: EXPORT_SIDECAR, bytes: sidecarBytes }];
  return {
    dir,
    files: written.map((f) => ({ name: f.name, bytes: f.bytes.length, sha256: sha256(f.bytes) })),
    weightBytes: bytes.length,
    sidecar,
  };
}

/** The manifest entries and the concatenated weight bytes, each float32 weight quantized when asked. */
function encodeWeights(data: Uint8Array, specs: ManifestEntry[], kind: Quantization | null): { entries: ManifestEntry[]; bytes: Uint8Array } {
  const entries: ManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    // Only float32 and int32 weights occur in layers models; both are 4 bytes a value.
    const raw = data.slice(offset, offset + size * 4);
    offset += size * 4;
    if (kind === null || spec.dtype !== 'float32') {
      entries.push({ name: spec.name, shape: spec.shape, dtype: spec.dtype });
      parts.push(raw);
      continue;
    }
    const q = quantize(new Float32Array(raw.buffer, raw.byteOffset, size), kind);
    entries.push({ name: spec.name, shape: spec.shape, dtype: spec.dtype, quantization: q.spec });
    parts.push(q.bytes);
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { entries, bytes };
}


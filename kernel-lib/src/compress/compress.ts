/** compressModel: a quantized (tfjs float16/uint8, ONNX int8) or pruned copy of a run's model, recorded as a child run with its size, accuracy and latency beside the source's. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { exportTfjs, type ExportResult } from '../export';
import { loadModel, MODEL_ARTIFACT, ReadyModel } from '../model-package';
import { checkModelPackage, type ModelPackage } from '../model-package/spec';
import { readJsonArtifact } from '../registry/artifacts';
import type { Registry } from '../registry/registry';
import type { Json } from '../registry/types';
import { serializeWeights } from '../repro/checkpoint';
import { medianLatencies, score, type EvaluationSet } from './evaluate';
import { onnxRuntimeName } from '../export/onnx/load';
import { dequantizeInt8, measureOnnxInt8, ONNX_INT8_QUANTIZATION, type OnnxInt8Measures } from './onnx-int8';
import { achievedSparsity, isPrunable, pruneValues } from './prune';

export type CompressMethod = 'float16' | 'uint8' | 'onnx-int8' | { prune: { sparsity: number } };

export interface CompressOptions {
  method: CompressMethod;
  /** The set both models are scored on: raw input as predict() takes it, and the truth per row. */
  evaluate: EvaluationSet;
  /** predict() calls on the whole set per model; latency is their median. Default 5. */
  repeats?: number;
}

export interface CompressResult {
  runId: number;
  sourceRunId: number;
  /** What the child run logged (see README "Compression" for each name). */
  metrics: { [name: string]: number };
  /** The tfjs export of the compressed model, stored as the child's `tfjs/<file>` artifacts ('onnx-int8': the ONNX export, as `onnx/<file>`). */
  files: ExportResult['files'];
}

type Method = { kind: 'quantize'; name: 'float16' | 'uint8' } | { kind: 'onnx-int8' } | { kind: 'prune'; sparsity: number };

/**
 * Records a child run of the source (a run id, or 'name@alias' / 'name/version'): experiment
 * `compress:<source experiment>`, the compressed weights as its checkpoint and `model` package
 * (loadModel(childId) predicts with them), the export as artifacts (`tfjs/<file>`, or `onnx/<file>`
 * for 'onnx-int8'), and the metrics.
 */
export async function compressModel(registry: Registry, source: number | string, options: CompressOptions): Promise<CompressResult> {
  const { method, set, repeats } = checkOptions(registry, source, options);
  const base = await loadModel(source, { registry });
  const work = mkdtempSync(join(tmpdir(), 'labbook-compress-'));
  let copy: ReadyModel | null = null;
  try {
    copy = await loadModel(source, { registry });
    const original = await exportTfjs(base, join(work, 'source'));
    let exported: ExportResult | null = null;
    let sparsity: number | null = null;
    let onnx: OnnxInt8Measures | null = null;
    if (method.kind === 'onnx-int8') {
      onnx = await measureOnnxInt8(base, set, repeats, work);
      dequantizeInt8(copy.model);
    } else if (method.kind === 'quantize') {
      exported = await exportTfjs(base, join(work, 'compressed'), { quantize: method.name });
      // The weights a loader decodes from the export, so the package predicts what the export does.
      setWeights(copy.model, decodeExport(exported.dir));
    } else {
      sparsity = prune(copy.model, method.sparsity);
    }
    const sourceScore = onnx?.sourceScore ?? score(base, set);
    const compressedScore = onnx?.score ?? score(copy, set);
    const [latency, sourceLatency] = onnx ? [onnx.latency, onnx.sourceLatency] : medianLatencies([copy, base], set.x, repeats);
    const record = registry.getRun(base.runId);
    const pkg = checkModelPackage(readJsonArtifact(registry.getArtifact(base.runId, MODEL_ARTIFACT)), base.runId);
    const config: { [key: string]: Json } = {
      method: method.kind === 'quantize' ? method.name : method.kind,
      ...(method.kind === 'prune' ? { sparsity: method.sparsity, granularity: 'per-tensor' } : {}),
      ...(method.kind === 'onnx-int8' ? { runtime: onnxRuntimeName(), quantization: ONNX_INT8_QUANTIZATION } : {}),
      source: { run: base.runId, checkpoint: original.sidecar.source.checkpointSha256, ...(typeof source === 'string' ? { model: source } : {}) },
      evaluation: { rows: countRows(set) },
      repeats,
    };
    const ready = copy;
    return await registry.withRun(
      { experiment: `compress:${record.experiment}`, config, seed: record.seed, parentId: base.runId, tags: { 'compress.source': base.runId, 'compress.method': config.method as string } },
      async (run) => {
        const checkpoint = run.saveCheckpoint(await serializeWeights(ready.model));
        const child: ModelPackage = { ...pkg, weights: { final: checkpoint.sha256, best: null } };
        run.logArtifact(MODEL_ARTIFACT, child as unknown as Json);
        // The stored export: the int8 ONNX file and its sidecar, or the tfjs export (a pruned one is of
        // the child's own weights, so its sidecar names the child run).
        if (!onnx) exported ??= await exportTfjs(new ReadyModel(run.id, ready.model, ready.task, ready.labels, ready.input, ready['outputs'], ready.pipeline, ready.vocabulary), join(work, 'compressed'));
        const [prefix, dir, files] = onnx ? ['onnx', onnx.exported.dir, onnx.files] : ['tfjs', exported!.dir, exported!.files];
        for (const f of files) {
          run.logArtifact(`${prefix}/${f.name}`, readFileSync(join(dir, f.name)), { mediaType: f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
        }
        // Sizes: the ONNX float32 file against the int8 one; the tfjs weight shards otherwise.
        const size = onnx ? { c: onnx.size, s: onnx.sizeSource, gc: onnx.gzip, gs: onnx.gzipSource } : { c: exported!.weightBytes, s: original.weightBytes, gc: gzippedShards(exported!), gs: gzippedShards(original) };
        // Each measure, then its `_source` twin, then the ratio or delta: diff and the runs table sort
        // names, so the three sit on adjacent rows.
        const metric = `eval_${compressedScore.name}`;
        const metrics: { [name: string]: number } = {
          [metric]: compressedScore.value,
          [`${metric}_source`]: sourceScore.value,
          [`${metric}_delta`]: compressedScore.value - sourceScore.value,
          size_bytes: size.c,
          size_bytes_source: size.s,
          size_ratio: size.c / size.s,
          gzip_size_bytes: size.gc,
          gzip_size_bytes_source: size.gs,
          latency_ms_p50: latency,
          latency_ms_p50_source: sourceLatency,
          latency_ratio: latency / sourceLatency,
          ...(sparsity === null ? {} : { sparsity }),
        };
        run.log(metrics, 0);
        return { runId: run.id, sourceRunId: base.runId, metrics, files };
      },
    );
  } finally {
    base.dispose();
    copy?.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

function checkOptions(registry: Registry, source: unknown, options: CompressOptions): { method: Method; set: EvaluationSet; repeats: number } {
  if (!registry || typeof registry.getRun !== 'function') throw invalidArgument('registry', 'an open Registry (openRegistry())', registry);
  if (!(Number.isSafeInteger(source) && (source as number) > 0) && !(typeof source === 'string' && source !== '')) {
    throw invalidArgument('source', "a run id (a positive integer) or a registered model ('NAME@ALIAS', 'NAME/VERSION')", source);
  }
  if (!options || typeof options !== 'object') throw invalidArgument('options', 'an object with `method` and `evaluate`', options);
  const set = options.evaluate as Partial<EvaluationSet> | undefined;
  if (!set || typeof set !== 'object' || set.x === undefined || set.y === undefined) {
    throw invalidArgument('evaluate', '{x, y}: the evaluation rows (raw records, strings or a tensor) and their labels or targets', set, 'Pass the held-out split the source run was scored on.');
  }
  const repeats = options.repeats ?? 5;
  if (!Number.isSafeInteger(repeats) || repeats < 1 || repeats > 1000) throw invalidArgument('repeats', 'an integer from 1 to 1000', repeats);
  return { method: checkMethod(options.method), set: set as EvaluationSet, repeats };
}

function checkMethod(method: unknown): Method {
  if (method === 'float16' || method === 'uint8') return { kind: 'quantize', name: method };
  if (method === 'onnx-int8') return { kind: 'onnx-int8' };
  const prune = (method as { prune?: { sparsity?: unknown } } | null)?.prune;
  if (method === null || typeof method !== 'object' || !prune || typeof prune !== 'object') {
    throw invalidArgument('method', '"float16", "uint8", "onnx-int8" or {prune: {sparsity}}', method);
  }
  const s = prune.sparsity;
  if (typeof s !== 'number' || !(s >= 0 && s < 1)) {
    throw invalidArgument('method.prune.sparsity', 'a number in [0, 1): the share of each kernel set to zero', s, 'For example {prune: {sparsity: 0.5}}.');
  }
  return { kind: 'prune', sparsity: s };
}

/** The export's weights as tfjs's loader decodes them (tf.io.decodeWeights on the manifest), in manifest order. */
function decodeExport(dir: string): tf.Tensor[] {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const [group] = json.weightsManifest;
  const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, p))));
  const named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), group.weights);
  return group.weights.map((w) => named[w.name]);
}

/** The manifest lists weights in model.weights order (tfjs's save), which is setWeights' order. */
function setWeights(model: tf.LayersModel, tensors: tf.Tensor[]): void {
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Prunes every kernel of the model in place; returns the sparsity reached over the kernels. */
function prune(model: tf.LayersModel, sparsity: number): number {
  const current = model.weights.map((w) => {
    const t = w.read();
    return { values: t.dataSync() as Float32Array, shape: t.shape, dtype: t.dtype };
  });
  const pruned = current.map((t) => ({ ...t, values: isPrunable(t.shape, t.dtype) ? pruneValues(t.values, sparsity) : t.values }));
  setWeights(model, pruned.map((t) => tf.tensor(t.values, t.shape, t.dtype as 'float32')));
  return achievedSparsity(pruned);
}

/** Weight shards gzipped at level 9: how much a zeroed or quantized kernel saves once compressed for transfer. */
function gzippedShards(result: ExportResult): number {
  return result.files.filter((f) => f.name.endsWith('.bin')).reduce((n, f) => n + gzipSync(readFileSync(join(result.dir, f.name)), { level: 9 }).length, 0);
}

function countRows(set: EvaluationSet): number {
  return set.y instanceof tf.Tensor ? set.y.shape[0] : (set.y as unknown[]).length;
}

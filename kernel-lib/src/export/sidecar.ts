/** labbook.json: what an exported tfjs model needs that model.json cannot carry, and its check on read. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeValue, LabbookError } from '../errors';
import type { ModelPackage, ModelTask, StoredInput } from '../model-package/spec';
import { sha256 } from '../repro/hash';

export const EXPORT_SIDECAR = 'labbook.json';

/** What every export's labbook.json says of the model, whatever its format. */
export interface SidecarModel {
  /** The run and checkpoint the weights came from; checkpoint is null when a ReadyModel or a model version was exported (it does not say which). */
  source: { runId: number; checkpoint: 'final' | 'best' | null; checkpointSha256: string };
  task: ModelTask;
  /** 'logits' for a classifier whose graph ends before softmax (the caller applies it). */
  outputs: ModelPackage['outputs'];
  /** The input contract (table pipeline, text vocabulary, tensor shape), as the run's model package stores it: preprocessing is not in the graph. */
  input: StoredInput;
  labels: string[] | null;
  /** SHA-256 of every other file written. */
  files: { [name: string]: string };
}

export interface ExportSidecar extends SidecarModel {
  kind: 'labbook-tfjs-export';
  version: 1;
  quantization: 'float16' | 'uint8' | null;
  /** labbook layer classes a loader must have registered (`import 'labbook'`); empty: stock tfjs loads it. */
  requiresLayers: string[];
}

/** Reads dir/labbook.json and checks every file it lists against its SHA-256. */
export function verifyExport(dir: string): ExportSidecar {
  const path = join(dir, EXPORT_SIDECAR);
  let sidecar: ExportSidecar;
  try {
    sidecar = JSON.parse(readFileSync(path, 'utf8')) as ExportSidecar;
  } catch (error) {
    throw new LabbookError('MODEL_FORMAT', `Cannot read ${path}: expected the labbook.json exportTfjs writes, received ${(error as Error).message}. Export the model again with exportTfjs(id, dir).`);
  }
  if (sidecar?.kind !== 'labbook-tfjs-export' || sidecar.version !== 1 || typeof sidecar.files !== 'object' || sidecar.files === null || !('model.json' in sidecar.files)) {
    throw new LabbookError('MODEL_FORMAT', `${path} is not an export sidecar: expected {kind: "labbook-tfjs-export", version: 1, files: {...}}, received ${describeValue(sidecar)}. Export the model again with exportTfjs(id, dir).`);
  }
  for (const [name, expected] of Object.entries(sidecar.files)) {
    let actual: string;
    try {
      actual = sha256(readFileSync(join(dir, name)));
    } catch (error) {
      throw new LabbookError('HASH_MISMATCH', `Export file ${join(dir, name)} is unreadable: expected a file with SHA-256 ${expected}, received ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Export the model again with exportTfjs(id, dir).`);
    }
    if (actual !== expected) {
      throw new LabbookError('HASH_MISMATCH', `Export file ${join(dir, name)} is corrupt: expected SHA-256 ${expected}, received ${actual}. Export the model again with exportTfjs(id, dir).`);
    }
  }
  return sidecar;
}

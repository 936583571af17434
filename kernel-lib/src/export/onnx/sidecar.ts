/** The ONNX export's labbook.json: the input contract and labels model.onnx cannot carry, and its hash check on read. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { describeValue, LabbookError } from '../../errors';
import { sha256 } from '../../repro/hash';
import { EXPORT_SIDECAR, type SidecarModel } from '../sidecar';

export interface OnnxSidecar extends SidecarModel {
  kind: 'labbook-onnx-export';
  version: 1;
  /** 'int8': weight matrices stored as symmetric per-tensor int8 with DequantizeLinear nodes. */
  quantization: 'int8' | null;
  onnx: {
    file: string;
    irVersion: number;
    opset: number;
    inputName: string;
    outputName: string;
    /** Shapes without the batch axis (the graph's symbolic 'N'). */
    inputShape: number[];
    outputShape: number[];
  };
}

/** The folder and file an export path names: a folder holding the export, or the .onnx file itself. */
export function onnxPaths(path: string): { dir: string; file: string | null } {
  const full = resolve(path);
  return full.endsWith('.onnx') ? { dir: dirname(full), file: basename(full) } : { dir: full, file: null };
}

/** The sidecar in `dir`, if it is an ONNX export's; null when there is none; refuses another kind (a tfjs export's). */
export function readOnnxSidecar(dir: string): OnnxSidecar | null {
  const path = join(dir, EXPORT_SIDECAR);
  if (!existsSync(path)) return null;
  let sidecar: OnnxSidecar;
  try {
    sidecar = JSON.parse(readFileSync(path, 'utf8')) as OnnxSidecar;
  } catch (error) {
    throw new LabbookError('MODEL_FORMAT', `Cannot read ${path}: expected the labbook.json exportOnnx writes, received ${(error as Error).message}. Export the model again with exportOnnx(id, dir).`);
  }
  if (sidecar?.kind !== 'labbook-onnx-export' || sidecar.version !== 1 || typeof sidecar.files !== 'object' || sidecar.files === null || typeof sidecar.onnx?.file !== 'string') {
    throw new LabbookError('MODEL_FORMAT', `${path} is not an ONNX export sidecar: expected {kind: "labbook-onnx-export", version: 1, ...}, received ${describeValue(sidecar)}. Export to a folder of its own with exportOnnx(id, dir).`);
  }
  return sidecar;
}

/** Reads the sidecar and model.onnx, checks the model's SHA-256, and returns both (the bytes are what gets loaded). */
export function verifyOnnx(path: string): { sidecar: OnnxSidecar; bytes: Uint8Array; file: string } {
  const { dir, file } = onnxPaths(path);
  const sidecar = readOnnxSidecar(dir);
  if (sidecar === null) {
    throw new LabbookError('NOT_FOUND', `No ONNX export at ${path}: expected ${join(dir, EXPORT_SIDECAR)} next to the model, received no such file. Export the model with exportOnnx(id, dir) first.`);
  }
  const name = file ?? sidecar.onnx.file;
  const model = join(dir, name);
  const expected = sidecar.files[name];
  if (typeof expected !== 'string') {
    throw new LabbookError('MODEL_FORMAT', `${join(dir, EXPORT_SIDECAR)} does not describe ${name}: expected it among its files, received ${describeValue(Object.keys(sidecar.files))}. Load ${join(dir, sidecar.onnx.file)} instead.`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(model);
  } catch (error) {
    throw new LabbookError('HASH_MISMATCH', `Export file ${model} is unreadable: expected a file with SHA-256 ${expected}, received ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Export the model again with exportOnnx(id, dir).`);
  }
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new LabbookError('HASH_MISMATCH', `Export file ${model} is corrupt: expected SHA-256 ${expected}, received ${actual}. Export the model again with exportOnnx(id, dir).`);
  }
  return { sidecar, bytes, file: model };
}

/** tfjs `file://` save and load handlers for Node, in tfjs-node's layout (model.json + weights.bin); not labbook's checkpoint format. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LabbookError } from '../errors';

const SCHEME = 'file://';
let registered = false;
/** Set while our router asks tfjs which other routers answer, so it does not answer itself. */
let probing = false;

/**
 * Registers the routers once per process. tfjs throws when two handlers answer one URL, and the
 * real @tensorflow/tfjs-node registers its own for `file://`, loaded before or after this: so the
 * router asks, on each call, whether another one answers, and steps aside if so.
 */
export function registerFileIO(): void {
  if (registered) return;
  registered = true;
  // tfjs types a router as never answering null, yet its registry skips routers that do.
  tf.io.registerSaveRouter((url) => route(url, 'save') as tf.io.IOHandler);
  tf.io.registerLoadRouter((url) => route(url, 'load') as tf.io.IOHandler);
}

function route(url: string | string[], kind: 'save' | 'load'): tf.io.IOHandler | null {
  if (probing || typeof url !== 'string' || !url.startsWith(SCHEME)) return null;
  probing = true;
  let others: unknown[];
  try {
    others = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
  } finally {
    probing = false;
  }
  if (others.length > 0) return null;
  const path = resolve(url.slice(SCHEME.length));
  return kind === 'save' ? saveHandler(path) : loadHandler(path);
}

/** Saving to `file:///dir` writes dir/model.json and dir/weights.bin (a path ending in .json names the file). */
function saveHandler(path: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new LabbookError('INVALID_ARGUMENT', 'Invalid model for file:// save: expected a JSON topology, received a binary one. Save a LayersModel (tf.sequential() or tf.model()).');
      }
      const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
      const dir = dirname(jsonPath);
      const weightsName = 'weights.bin';
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      mkdirSync(dir, { recursive: true });
      // Weights first, then model.json, each by rename: a reader never sees a model.json whose
      // weights are missing or half written.
      writeAtomic(join(dir, weightsName), new Uint8Array(weights));
      writeAtomic(jsonPath, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

function loadHandler(path: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new LabbookError('INVALID_ARGUMENT', `Cannot load ${jsonPath}: expected a model.json written by model.save('file://...'), received ${(error as Error).message}. Check the path.`);
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const bytes = readFileSync(join(dirname(jsonPath), p));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** Writes through a temp file and a rename, so a reader never sees half a file. */
export function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Saving a tfjs model's weights into a run, and loading them back verified: the registry sees only bytes. */
import type { LayersModel } from '@tensorflow/tfjs';
import type { Registry, Run } from '../registry';
import type { CheckpointRecord } from '../registry/types';
import { restoreWeights, serializeWeights } from './checkpoint';

/** Serializes the model canonically and stores it as the run's checkpoint at `step`. */
export async function saveModelCheckpoint(run: Run, model: LayersModel, options: { step?: number } = {}): Promise<CheckpointRecord> {
  return run.saveCheckpoint(await serializeWeights(model), options);
}

/** Loads a stored checkpoint into a model of the same architecture; the bytes' SHA-256 is checked first. */
export function loadModelCheckpoint(registry: Registry, sha256: string, model: LayersModel): void {
  restoreWeights(model, registry.readObject(sha256));
}

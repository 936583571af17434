// Typed access to the shared model fixture (a CommonJS file so child processes can run it as is).
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';

export interface ModelFixture {
  buildModel(tf: typeof TF, options?: { seed?: number; units?: number; batchNorm?: boolean }): TF.Sequential;
  inputs(tf: typeof TF, n?: number): TF.Tensor4D;
  trainedCheckpoint(
    tf: typeof TF,
    serializeWeights: (model: TF.LayersModel) => Promise<Uint8Array>,
  ): Promise<Uint8Array>;
}

export const fixture = createRequire(__filename)('./fixtures/checkpoint-model.cjs') as ModelFixture;

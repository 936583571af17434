import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelConfig } from '../../kernel-lib/src/models';
import { serializeWeights } from '../../kernel-lib/src/repro/checkpoint';
import { inputsFor, TINY, TINY_NAMES } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function roundTrip(model: tf.LayersModel): Promise<{ loaded: tf.LayersModel; topology: string }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('the save handler was not called');
  // Through JSON text, as a file or a database row would carry it.
  const artifacts: tf.io.ModelArtifacts = {
    ...saved,
    modelTopology: JSON.parse(JSON.stringify(saved.modelTopology)),
  };
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { loaded, topology: JSON.stringify(saved.modelTopology) };
}

/** The values of a concrete single-output result (predict and apply are typed for symbolic inputs too). */
function values(t: unknown): number[] {
  return Array.from((t as tf.Tensor).dataSync());
}

describe('save / load round trip', () => {
  it.each(TINY_NAMES)('%s: identical weights and predictions after model.save + tf.loadLayersModel', async (name) => {
    const config: ModelConfig = { ...TINY[name], dropout: 0.25 };
    const model = buildModel(config, { seed: 31 });
    // Move every weight off its initial value: a loaded model rebuilt from the same seeded
    // initializers would otherwise match even if no weight were loaded.
    const shifted = model.getWeights().map((w, i) => tf.add(w, tf.randomNormal(w.shape, 0, 0.1, 'float32', 100 + i)));
    model.setWeights(shifted);
    tf.dispose(shifted);
    const { loaded, topology } = await roundTrip(model);
    const x = inputsFor(config, 5, 8);

    expect(await serializeWeights(loaded)).toEqual(await serializeWeights(model));
    expect(tf.tidy(() => values(loaded.predict(x)))).toEqual(tf.tidy(() => values(model.predict(x))));
    // The dropout layers keep their rate and seed: a loaded model replays the same masks.
    expect(tf.tidy(() => values(loaded.apply(x, { training: true })))).toEqual(
      tf.tidy(() => values(model.apply(x, { training: true }))),
    );
    expect(topology).toContain('LabbookSeededDropout');

    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('stores the custom layers and initializers under their registered class names', async () => {
    const model = buildModel({ ...TINY.lstmBi }, { seed: 1 });
    const transformer = buildModel(TINY.transformer, { seed: 1 });
    const rnnTopology = (await roundTrip(model)).topology;
    const transformerTopology = (await roundTrip(transformer)).topology;
    expect(rnnTopology).toContain('LabbookOrthogonal');
    expect(rnnTopology).toContain('LabbookReverseSequence');
    for (const name of ['LabbookTokenEmbedding', 'LabbookMultiHeadAttention', 'LabbookPositionalEncoding', 'LabbookPaddingMask', 'LabbookSequencePooling']) {
      expect(transformerTopology).toContain(name);
    }
    model.dispose();
    transformer.dispose();
  });
});

// A small iris classifier logged as a model package, the source every compression test compresses.
import { buildModel, LabelEncoder, loadIris, logModel, Pipeline, Standardizer, toTensors, train, type Registry } from '../../kernel-lib/src';

export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

export interface IrisSource {
  id: number;
  /** Every flower as a raw record (no species), and its species: the evaluation set. */
  rows: Record<string, number>[];
  species: string[];
}

export async function trainIris(registry: Registry): Promise<IrisSource> {
  const { frame } = loadIris();
  const columns = frame.columns as string[];
  const records = (frame.values as unknown[][]).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  const id = await registry.withRun({ experiment: 'iris-mlp', seed: 3 }, async (run) => {
    const prep = new Pipeline().add(new Standardizer(), FEATURES).add(new LabelEncoder(), ['species']).fit(frame);
    const data = toTensors(prep.transform(frame), { features: FEATURES, target: 'species', targetType: 'class' });
    const model = buildModel({ kind: 'mlp', task: 'classification', outputs: 3, inputShape: [4], hidden: [64] }, { seed: run.seed });
    await train(model, data, { epochs: 40, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.01 }, run, progress: false });
    await logModel(run, model, { input: { kind: 'table', features: FEATURES, pipeline: prep, target: 'species' } });
    data.x.dispose();
    data.y.dispose();
    model.dispose();
    return run.id;
  });
  return {
    id,
    rows: records.map(({ species: _s, ...rest }) => rest as Record<string, number>),
    species: records.map((r) => String(r.species)),
  };
}

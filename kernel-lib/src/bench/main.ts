/** `npm run bench -- NAME...`: runs benchmarks and prints their figures as one JSON document. */
import { benchRegistry } from './registry';
import { benchTrain } from './train';

const BENCHES: { [name: string]: () => unknown } = {
  registry: () => benchRegistry(),
  train: async () => benchTrain(),
};

async function main(names: string[]): Promise<number> {
  const chosen = names.length > 0 ? names : Object.keys(BENCHES);
  const unknown = chosen.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark ${unknown.join(', ')}: expected one of ${Object.keys(BENCHES).join(', ')}.\n`);
    return 2;
  }
  const figures: { [name: string]: unknown } = {};
  for (const name of chosen) figures[name] = await BENCHES[name]();
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

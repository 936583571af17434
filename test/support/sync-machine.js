// A "machine" for sync tests, run as its own process on the built library: records runs in its own
// local registry (a parent and its children, or one big run), then syncs them to the team store.
// usage: node sync-machine.js record|sync|both LOCAL_DB TEAM_URL [points] [batchSize]
const { join } = require('node:path');
const dist = join(__dirname, '..', '..', 'kernel-lib', 'dist');
const { openRegistry } = require(join(dist, 'registry'));
const { syncToTeam } = require(join(dist, 'team', 'sync'));

async function main([mode, db, url, points = '300', batchSize = '50000']) {
  if (mode === 'record' || mode === 'both') {
    const registry = openRegistry({ db });
    const parent = registry.startRun({ experiment: 'two-machines', name: 'sweep', config: { n: 2 }, seed: 1 });
    for (let t = 0; t < 2; t++) {
      const child = registry.startRun({ experiment: 'two-machines', name: `trial-${t}`, config: { lr: 0.1 * (t + 1), tag: 't' }, seed: 2 + t, parentId: parent.id });
      for (let s = 0; s < Number(points); s++) child.log({ loss: 1 / (s + 1), acc: s / Number(points) }, s);
      child.end();
    }
    parent.end();
    registry.close();
  }
  if (mode === 'sync' || mode === 'both') {
    const result = await syncToTeam(db, url, { batchSize: Number(batchSize) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result.error ? 1 : 0;
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 3;
});

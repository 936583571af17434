// Runs one experiment in this process once per entry of a matrix (native instruction path,
// thread count, seed) and prints each run's checkpoint SHA-256 as JSON: the portable-determinism
// test's worker (portable-native.test.ts). One process per experiment saves a start-up per run.
// argv: experiment, settings as JSON ({"samples": 40}), matrix as JSON ([{isa, threads, seed}]), registry file.
'use strict';
const lb = require('labbook');

async function main() {
  const [name, settings, matrix, db] = process.argv.slice(2);
  const experiment = lb.loadExperiment(name);
  const registry = lb.openRegistry(db);
  const rows = [];
  try {
    for (const { isa, threads, seed } of JSON.parse(matrix)) {
      const info = lb.configureNative({ isa, threads });
      const run = await lb.runExperiment(experiment, { registry, set: JSON.parse(settings), seed, backend: 'native', team: false, throwOnFailure: false });
      rows.push({ isa: info.isa, threads: info.threads, seed, status: run.status, sha256: run.checkpoint ? run.checkpoint.sha256 : null, error: run.error });
    }
  } finally {
    registry.close();
  }
  process.stdout.write(JSON.stringify(rows));
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

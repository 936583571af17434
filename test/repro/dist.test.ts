// Runs the compiled package (kernel-lib/dist) in fresh Node processes: checkpoint hashes must agree
// across processes and with the sources, and the built env capture must find its own version.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { serializeWeights } from '../../kernel-lib/src/repro/checkpoint';
import { sha256 } from '../../kernel-lib/src/repro/hash';
import { fixture } from './model';

const repoRoot = resolve(__dirname, '../..');
const lib = join(repoRoot, 'kernel-lib');
const SOURCES = ['errors.ts', 'repro/checkpoint.ts', 'repro/env.ts', 'repro/hash.ts', 'repro/index.ts'];

beforeAll(() => {
  // These tests are about the build, so a missing or stale one is a failure, not a skip.
  for (const source of SOURCES) {
    const built = join(lib, 'dist', source.replace(/\.ts$/, '.js'));
    let builtAt: number;
    try {
      builtAt = statSync(built).mtimeMs;
    } catch {
      throw new Error(`${built} is missing: run \`npm run build\` first.`);
    }
    if (statSync(join(lib, 'src', source)).mtimeMs > builtAt) {
      throw new Error(`${built} is older than its source: run \`npm run build\` first.`);
    }
  }
});

function node(args: string[]): string {
  const out = execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return out.trim().split('\n').pop()!;
}

describe('the compiled package', () => {
  it('hashes a trained checkpoint identically in two processes and in this one', async () => {
    const script = join(__dirname, 'fixtures/checkpoint-model.cjs');
    const first = JSON.parse(node([script]));
    const second = JSON.parse(node([script]));
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toEqual(first);

    await tf.setBackend('cpu');
    const here = await fixture.trainedCheckpoint(tf, serializeWeights);
    expect({ sha256: sha256(here), bytes: here.length }).toEqual(first);
  }, 120_000);

  it('captures the environment with its own version and without loading TensorFlow.js', () => {
    const script = `
      const repro = require('labbook/dist/repro');
      const env = repro.captureEnvironment({ projectRoot: process.argv[1] });
      const loaded = Object.keys(require.cache).some((p) => p.includes('@tensorflow'));
      console.log(JSON.stringify({ labbook: env.labbook, tfjs: env.tfjs, loaded }));`;
    const result = JSON.parse(node(['-e', script, repoRoot]));
    const version = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8')).version;
    expect(result).toEqual({ labbook: version, tfjs: '4.22.0', loaded: false });
  });
});

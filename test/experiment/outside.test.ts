import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runNode, tempDir } from '../helpers';

// A file in a scratch folder with no package.json or node_modules of its own anywhere above it.
const EXPERIMENT = `
import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'labbook';

export default defineExperiment({
  name: 'scratch',
  defaults: { epochs: 1, samples: 3 },
  async run({ config }) {
    const total = tf.tidy(() => tf.ones([config.samples]).sum().arraySync() as number);
    return { total };
  },
});
`;

describe('an experiment file outside the project', () => {
  it.each(['.ts', '.js'])('runs via the CLI, resolving labbook and @tensorflow/tfjs from labbook itself (%s)', async (ext) => {
    const dir = tempDir('labbook-outside-');
    const source = ext === '.ts' ? EXPERIMENT : EXPERIMENT.replace(/^import \* as tf from '(.*)';$/m, "const tf = require('$1');").replace(/^import \{ defineExperiment \} from '(.*)';$/m, "const { defineExperiment } = require('$1');").replace('export default', 'module.exports =').replace(' as number', '');
    writeFileSync(join(dir, `exp${ext}`), source);
    const result = await runNode([CLI, 'run', join(dir, `exp${ext}`), '--json', '--quiet', '--backend', 'cpu', '--db', join(dir, 'labbook.db')], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ experiment: 'scratch', status: 'finished', metrics: { total: 3 } });
  }, 60_000);

  it('a package it imports that is installed nowhere is one line naming it, exit 2', async () => {
    const dir = tempDir('labbook-outside-');
    writeFileSync(join(dir, 'exp.ts'), `import 'no-such-package-xyz';\n${EXPERIMENT}`);
    const result = await runNode([CLI, 'run', join(dir, 'exp.ts'), '--quiet', '--db', join(dir, 'labbook.db')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^labbook: Cannot load experiment file .*exp\.ts: it imports `no-such-package-xyz`, which cannot be found.*npm install no-such-package-xyz/)]);
  }, 60_000);
});

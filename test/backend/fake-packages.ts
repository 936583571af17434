/**
 * Stand-ins for @tensorflow/tfjs-node and -gpu, written to a temp folder: they register a
 * 'tensorflow' backend the way the real packages do (on require, with the shared tfjs-core), so
 * the selection can be tested where libtensorflow cannot be installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tempDir } from '../support/temp';

const here = createRequire(join(__dirname, '..', '..', 'package.json'));
const CORE = here.resolve('@tensorflow/tfjs-core');
const CPU = here.resolve('@tensorflow/tfjs-backend-cpu');

export type FakePackage =
  /** Registers a working 'tensorflow' backend; `gpu` is what its binding reports. */
  | { kind: 'native'; gpu: boolean }
  /** An npm alias of plain tfjs under the native package's name. */
  | { kind: 'alias' }
  /** Throws on require, as the real one does without libtensorflow. */
  | { kind: 'broken' }
  /** Loads but registers with another copy of tfjs-core, so labbook's tfjs sees nothing. */
  | { kind: 'silent' };

function source(pkg: string, fake: FakePackage): string {
  if (fake.kind === 'broken') {
    return `throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory\\n    at more detail');\n`;
  }
  if (fake.kind === 'silent') return 'module.exports = {};\n';
  return `
const tf = require(${JSON.stringify(CORE)});
const { MathBackendCPU } = require(${JSON.stringify(CPU)});
class NodeJSKernelBackend extends MathBackendCPU {
  constructor() {
    super();
    this.binding = { TF_Version: '2.9.1' };
    this.isGPUPackage = ${JSON.stringify(pkg)} === '@tensorflow/tfjs-node-gpu';
    this.isUsingGpuDevice = ${fake.kind === 'native' && fake.gpu};
  }
}
tf.registerBackend('tensorflow', () => new NodeJSKernelBackend(), 3);
const success = tf.setBackend('tensorflow');
if (!success) throw new Error('Could not initialize TensorFlow backend.');
module.exports = { loaded: ${JSON.stringify(pkg)} };
`;
}

/** A folder whose node_modules holds the given fake packages; pass it as a search path. */
export function fakeProject(packages: { [pkg: string]: FakePackage }): string {
  const root = tempDir('labbook-backend-');
  for (const [pkg, fake] of Object.entries(packages)) {
    const dir = join(root, 'node_modules', ...pkg.split('/'));
    mkdirSync(dir, { recursive: true });
    const name = fake.kind === 'alias' ? '@tensorflow/tfjs' : pkg;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
    writeFileSync(join(dir, 'index.js'), fake.kind === 'alias' ? `throw new Error('an alias must never be loaded');\n` : source(pkg, fake));
  }
  return root;
}

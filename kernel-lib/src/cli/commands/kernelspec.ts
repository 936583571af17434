/** `labbook kernelspec`: writes a Jupyter kernelspec for this project's tslab, so any Jupyter client can run its notebooks. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { findProjectRoot } from '../../repro/root';
import { parse } from '../args';
import { type Command, print, printJson } from '../command';

const usage = 'labbook kernelspec [--dir DIR] [--json]';

/**
 * The kernelspec points at this project's own tslab by absolute path (no global install, no
 * PATH lookup), and goes to <root>/.labbook/jupyter/kernels/tslab by default: run Jupyter with
 * JUPYTER_PATH=<root>/.labbook/jupyter to use it.
 */
export function writeKernelspec(dir?: string): { kernelDir: string; jupyterPath: string; tslab: string } {
  const root = findProjectRoot();
  const tslab = join(root, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) {
    throw new LabbookError('NOT_FOUND', `No tslab at ${tslab}: expected the project's tslab dependency. Run \`npm install\` in ${root}.`);
  }
  const jupyterPath = resolve(dir ?? join(root, '.labbook', 'jupyter'));
  const kernelDir = join(jupyterPath, 'kernels', 'tslab');
  mkdirSync(kernelDir, { recursive: true });
  const spec = {
    argv: [tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (labbook)',
    language: 'typescript',
    // tslab interrupts a running cell on SIGINT from the client.
    interrupt_mode: 'signal',
    env: { LABBOOK_PROJECT: root },
  };
  writeFileSync(join(kernelDir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return { kernelDir, jupyterPath: dirname(dirname(kernelDir)), tslab };
}

export const kernelspec: Command = {
  name: 'kernelspec',
  summary: "write a Jupyter kernelspec for this project's tslab (use with JUPYTER_PATH)",
  usage,
  run(argv) {
    const { values } = parse(argv, { dir: { type: 'string' } }, usage);
    const result = writeKernelspec(values.dir);
    if (values.json) printJson(result);
    else print(`wrote ${join(result.kernelDir, 'kernel.json')}\nuse it with: JUPYTER_PATH=${result.jupyterPath} jupyter notebook   (kernel "tslab")`);
    return 0;
  },
};

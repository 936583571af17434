/** `labbook kernelspec`: writes a Jupyter kernelspec for this project's tslab, so any Jupyter client can run its notebooks. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { KERNELSPEC } from '../../nbtest/process';
import { kernelHookFile } from '../../repro/notebook';
import { findProjectRoot } from '../../repro/root';
import { parse } from '../args';
import { type Command, print, printJson } from '../command';

const usage = 'labbook kernelspec [--dir DIR] [--json]';

/**
 * The kernelspec points at this project's own tslab by absolute path (no global install, no
 * PATH lookup), and goes to <root>/.labbook/jupyter/kernels/tslab by default: run Jupyter with
 * JUPYTER_PATH=<root>/.labbook/jupyter to use it.
 *
 * Absolute, not relative: Jupyter resolves argv against nothing but `{resource_dir}`, which some
 * clients did not substitute (VS Code before 2025), and env values cannot be relative at all. So
 * a moved or copied checkout carries a kernelspec that runs the old tree's tslab; every labbook
 * command run in the new tree rewrites it (refreshKernelspec, called by the CLI).
 */
export function writeKernelspec(dir?: string, root: string = findProjectRoot()): { kernelDir: string; jupyterPath: string; tslab: string } {
  const tslab = join(root, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) {
    throw new LabbookError('NOT_FOUND', `No tslab at ${tslab}: expected the project's tslab dependency. Run \`npm install\` in ${root}.`);
  }
  const jupyterPath = resolve(dir ?? join(root, '.labbook', 'jupyter'));
  const kernelDir = join(jupyterPath, 'kernels', KERNELSPEC.name);
  mkdirSync(kernelDir, { recursive: true });
  const spec = {
    argv: [tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: KERNELSPEC.display_name,
    language: KERNELSPEC.language,
    // tslab interrupts a running cell on SIGINT from the client.
    interrupt_mode: 'signal',
    // The preloaded hook keeps each executed cell's source: Notebook 6 and nbconvert never tell
    // the kernel which notebook it runs, so runs find it (and their code hash) from those cells.
    // It replaces a NODE_OPTIONS set in Jupyter's own environment (kernelspec env values are literal).
    env: { LABBOOK_PROJECT: root, NODE_OPTIONS: `--require ${JSON.stringify(kernelHookFile())}` },
  };
  writeFileSync(join(kernelDir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return { kernelDir, jupyterPath: dirname(dirname(kernelDir)), tslab };
}

/** The project's own kernelspec, where `labbook kernelspec` puts it by default. */
export function defaultKernelspecFile(root: string): string {
  return join(root, '.labbook', 'jupyter', 'kernels', KERNELSPEC.name, 'kernel.json');
}

/**
 * Rewrites the project's kernelspec when it was written from another checkout (this one was
 * moved or copied): its tslab or LABBOOK_PROJECT lies outside `root`. Returns the root it pointed
 * at when it rewrote it, else null (no kernelspec, not labbook's, or already this project's).
 */
export function refreshKernelspec(root: string = findProjectRoot()): string | null {
  const file = defaultKernelspecFile(root);
  let spec: { argv?: unknown; env?: { LABBOOK_PROJECT?: unknown } };
  try {
    spec = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // none, or not ours to judge: `labbook kernelspec` writes a fresh one
  }
  const project = spec?.env?.LABBOOK_PROJECT;
  const tslab = Array.isArray(spec?.argv) ? spec.argv[0] : undefined;
  if (typeof project !== 'string' || typeof tslab !== 'string') return null;
  if (project === root && inside(root, tslab)) return null;
  writeKernelspec(undefined, root);
  return project === root ? tslab : project;
}

/** refreshKernelspec() for the CLI: says on stderr what it rewrote; never fails the command it precedes. */
export function refreshKernelspecBeforeCommand(): void {
  let root: string;
  try {
    root = findProjectRoot();
  } catch {
    return; // no working directory (it was removed): no project to look in
  }
  const file = defaultKernelspecFile(root);
  try {
    const was = refreshKernelspec(root);
    if (was !== null) process.stderr.write(`labbook: rewrote ${file}: it pointed at ${was} (a moved or copied checkout); it now runs this project's tslab.\n`);
  } catch (error) {
    process.stderr.write(`labbook: ${file} points at another checkout and was not rewritten: ${(error as Error).message}\n`);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
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

/** Preloaded into a tslab kernel (node --require): keeps the source of each cell the kernel executes, for a run's notebook record. */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * What the hook keeps, on a process-wide symbol so that any copy of labbook a cell loads (the
 * project's node_modules/labbook or a checkout) reads the same record. `cwd` is the folder the
 * kernel started in: Jupyter starts it in the notebook's folder, and a cell may chdir later.
 */
export interface ExecutedCells {
  cwd: string;
  sources: string[];
}

export const EXECUTED_CELLS = Symbol.for('labbook.executedCells');

/**
 * Only a tslab kernel is touched: NODE_OPTIONS, which the kernelspec uses to preload this file,
 * reaches every node process a cell spawns too. tslab has no hook for this, so its handler's
 * method is wrapped; should a tslab release rename it, the kernel runs as before and runs
 * record no executed cells.
 */
function install(): void {
  const script = process.argv[1];
  if (!script || process.argv[2] !== 'kernel' || (globalThis as { [EXECUTED_CELLS]?: ExecutedCells })[EXECUTED_CELLS]) return;
  let jupyter: string;
  try {
    jupyter = join(dirname(realpathSync(script)), '..', 'dist', 'jupyter.js');
  } catch {
    return;
  }
  if (!existsSync(jupyter)) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const handler = (require(jupyter) as { JupyterHandlerImpl?: { prototype: { handleExecuteImpl?: unknown } } }).JupyterHandlerImpl?.prototype;
    const original = handler?.handleExecuteImpl;
    if (!handler || typeof original !== 'function') return;
    const record: ExecutedCells = { cwd: process.cwd(), sources: [] };
    (globalThis as { [EXECUTED_CELLS]?: ExecutedCells })[EXECUTED_CELLS] = record;
    handler.handleExecuteImpl = function (this: unknown, req: { code?: unknown }, ...rest: unknown[]) {
      if (typeof req?.code === 'string') record.sources.push(req.code);
      return (original as (...args: unknown[]) => unknown).call(this, req, ...rest);
    };
  } catch {
    // not the tslab this hook knows: leave the kernel alone
  }
}

install();

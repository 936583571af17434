/** The tests a notebook makes, known at collection (before any kernel starts): its code cells, names and time limits. */
import { invalidArgument } from '../errors';
import { planCells } from '../nbtest/cells';
import { cellSource, cellTags, type NotebookDocument } from '../nbtest/notebook';
import type { Json } from '../registry/types';
import type { NotebookTestOptions } from './options';

export interface PlannedCell {
  index: number;
  injected: boolean;
  tags: string[];
  source: string;
  /** This cell's own limit (its metadata `execution.timeout`, seconds), when it sets one. */
  timeoutMs: number | null;
}

/** The code cells in execution order, the injected parameters cell after the one tagged `parameters`. */
export function planSteps(doc: NotebookDocument, parameters: { [key: string]: Json }): PlannedCell[] {
  return planCells(doc, parameters)
    .filter((c) => c.cell.cell_type === 'code')
    .map(({ cell, index, injected }) => ({ index, injected, tags: cellTags(cell), source: cellSource(cell), timeoutMs: seconds(cell.metadata?.execution, `cell ${index}'s metadata`) }));
}

/** nbmake's convention: the notebook's metadata `execution.timeout` (seconds) is each cell's limit; else the option; else 600 s. */
export function cellTimeoutMs(doc: NotebookDocument, options: NotebookTestOptions): number {
  return seconds(doc.metadata?.execution, 'the notebook metadata') ?? (options.cellTimeout ?? 600) * 1000;
}

function seconds(execution: unknown, where: string): number | null {
  if (execution === undefined || execution === null) return null;
  const timeout = (execution as { timeout?: unknown }).timeout;
  if (timeout === undefined) return null;
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) throw invalidArgument(`execution.timeout in ${where}`, 'a positive number of seconds', timeout);
  return timeout * 1000;
}

/** `cell 3: const run = registry.startRun(...)`: the index vitest's -t filters on, and the line a reader knows. */
export function testName(cell: PlannedCell): string {
  const first = cell.source.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('//')) ?? cell.source.split('\n')[0] ?? '';
  const line = first.trim().length > 70 ? `${first.trim().slice(0, 69)}…` : first.trim();
  return cell.injected ? `cell ${cell.index}+: injected parameters` : `cell ${cell.index}: ${line}`;
}

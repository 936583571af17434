/** Output regression for cells tagged `check-output` (nbval's lax mode): compare new outputs with the committed ones, or rewrite them. */
import { LabbookError } from '../errors';
import { cellSource, cellTags, type NotebookCell, type NotebookDocument, readNotebook, TAGS, writeNotebook } from './notebook';
import type { Output } from './outputs';
import { type CompiledSanitizer, lineDiff, sanitize } from './sanitize';

/** The tag that opts a cell in, as nbval's `nbval-check-output` does under --nbval-lax. */
export const CHECK_OUTPUT_TAG = 'check-output';

export function checksOutput(cell: NotebookCell): boolean {
  return cell.cell_type === 'code' && cellTags(cell).includes(CHECK_OUTPUT_TAG);
}

/** A tagged cell never executed (no count, no outputs) has nothing to compare with: a new snapshot. */
export function hasCommittedOutputs(cell: NotebookCell): boolean {
  return (Array.isArray(cell.outputs) && cell.outputs.length > 0) || typeof cell.execution_count === 'number';
}

/**
 * The outputs as compared, one labelled block per output. As in nbval: output type and stream
 * name, stream text, an error's name and message (not its traceback, which names frames), and
 * for displays the set of MIME types plus `text/plain`. HTML is not compared (it carries element
 * ids and inlined libraries), nor images or SVG byte for byte (renderers differ; a figure's SVG
 * has its own check): their presence is. Execution counts are not compared. Runs of spaces count
 * as one, since a table's columns widen with a sanitized value's width.
 */
export function renderOutputs(outputs: readonly unknown[], sanitizers: readonly CompiledSanitizer[]): string[] {
  const lines: string[] = [];
  const text = (value: unknown) => sanitize(joined(value), sanitizers).replace(/[ \t]+/g, ' ').replace(/ +$/gm, '').replace(/\n$/, '');
  for (const output of coalesce(outputs as Output[])) {
    if (output.output_type === 'stream') lines.push(`[${output.name}]`, ...text(output.text).split('\n'));
    else if (output.output_type === 'error') lines.push('[error]', ...text(`${output.ename}: ${output.evalue}`).split('\n'));
    else if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
      const data = output.data ?? {};
      lines.push(`[${output.output_type} ${Object.keys(data).sort().join(', ')}]`);
      if ('text/plain' in data) lines.push(...text(data['text/plain']).split('\n'));
    } else lines.push(`[${String((output as { output_type?: unknown }).output_type)}]`);
  }
  return lines;
}

/** null when the outputs match after sanitizing; else the diff, committed (-) against now (+). */
export function compareOutputs(committed: readonly unknown[], now: readonly unknown[], sanitizers: readonly CompiledSanitizer[]): string | null {
  const before = renderOutputs(committed, sanitizers);
  const after = renderOutputs(now, sanitizers);
  if (before.length === after.length && before.every((l, i) => l === after[i])) return null;
  return lineDiff(before, after);
}

/** The failure text of a tagged cell whose outputs changed. */
export function regressionReport(index: number, diff: string, acceptWith: string): string {
  return `cell ${index}'s outputs differ from those committed in the notebook (after sanitizing; - committed, + now):\n\n${diff}\n\nIf the change is intended, ${acceptWith} rewrites the committed outputs of the cells tagged ${CHECK_OUTPUT_TAG}; if it is noise (a time, a path, an id), add a sanitizer {regex, replace}.`;
}

export interface OutputUpdate {
  /** Index in the notebook's cells. */
  index: number;
  /** The source the outputs came from: a cell edited since is not overwritten. */
  source: string;
  outputs: Output[];
  executionCount: number | null;
}

/**
 * Replaces the outputs and execution counts of the given cells in the notebook file and nothing
 * else, written in nbformat layout and atomically (writeNotebook). The file is read again first,
 * so an edit made while the tests ran is kept, and a cell whose source changed is refused.
 */
export function rewriteOutputs(path: string, updates: readonly OutputUpdate[]): void {
  if (updates.length === 0) return;
  const doc = readNotebook(path);
  for (const update of updates) {
    const cell = doc.cells[update.index];
    if (!cell || cell.cell_type !== 'code' || cellSource(cell) !== update.source) {
      throw new LabbookError('INVALID_ARGUMENT', `Cannot update the outputs of cell ${update.index} in ${path}: expected its source as executed, received a notebook edited while its tests ran. Run the tests again.`);
    }
    cell.outputs = structuredClone(update.outputs);
    cell.execution_count = update.executionCount;
  }
  writeNotebook(path, doc);
}

function joined(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join('') : typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/** Consecutive writes to one stream are one output (Jupyter may have saved them split). */
function coalesce(outputs: readonly Output[]): Output[] {
  const out: Output[] = [];
  for (const o of outputs) {
    const last = out[out.length - 1];
    if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) out[out.length - 1] = { ...last, text: joined(last.text) + joined(o.text) };
    else out.push(o);
  }
  return out;
}

/**
 * `labbook nbtest --check-outputs`: every tagged cell of a passing execution against the
 * committed notebook. With `update`, differences and never-run cells become updates instead of
 * failures. Without it a tagged cell with no committed outputs fails: a CLI run writes the
 * notebook only when asked to (vitest's convention of writing new snapshots is vitest's).
 */
export function checkNotebookOutputs(committed: NotebookDocument, executed: NotebookDocument, sanitizers: readonly CompiledSanitizer[], update: boolean): { failures: string[]; updates: OutputUpdate[] } {
  const ran = executed.cells.filter((c) => !cellTags(c).includes(TAGS.injected));
  const failures: string[] = [];
  const updates: OutputUpdate[] = [];
  committed.cells.forEach((cell, index) => {
    if (!checksOutput(cell) || !ran[index]) return;
    const outputs = ran[index].outputs ?? [];
    const accept = () => updates.push({ index, source: cellSource(cell), outputs, executionCount: ran[index].execution_count ?? null });
    if (!hasCommittedOutputs(cell)) {
      if (update) accept();
      else failures.push(`cell ${index} is tagged ${CHECK_OUTPUT_TAG} but the notebook has no committed outputs for it. Run \`labbook nbtest --update-outputs\` to write them.`);
      return;
    }
    const diff = compareOutputs(cell.outputs ?? [], outputs, sanitizers);
    if (diff === null) return;
    if (update) accept();
    else failures.push(regressionReport(index, diff, '`labbook nbtest --update-outputs`'));
  });
  return { failures, updates };
}

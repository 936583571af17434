/** iopub messages -> nbformat v4 outputs: streams coalesced, display updates, clear_output(wait). */
import type { Message } from './protocol';

export type MimeBundle = { [mime: string]: unknown };

export type Output =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: MimeBundle }
  | { output_type: 'execute_result'; execution_count: number | null; data: MimeBundle; metadata: MimeBundle }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/**
 * Outputs of one notebook. Displays are tracked across cells because update_display_data may
 * target an output of an earlier cell (tslab.newDisplay() in one cell, updates from a later one).
 */
export class NotebookOutputs {
  private readonly displays = new Map<string, Output[]>();

  cell(): CellOutputs {
    return new CellOutputs(this.displays);
  }
}

export class CellOutputs {
  readonly outputs: Output[] = [];
  /** Every stderr text the cell wrote, even what a clear_output removed: tslab's error report. */
  stderr = '';
  /** ename/evalue/traceback of `error` messages (tslab sends none; other kernels do). */
  readonly errors: { ename: string; evalue: string; traceback: string[] }[] = [];
  private clearBeforeNext = false;

  constructor(private readonly displays: Map<string, Output[]>) {}

  handle(message: Message): void {
    const c = message.content;
    switch (message.header.msg_type) {
      case 'stream': {
        const name = c.name === 'stderr' ? 'stderr' : 'stdout';
        const text = String(c.text ?? '');
        if (name === 'stderr') this.stderr += text;
        this.beforeOutput();
        const last = this.outputs[this.outputs.length - 1];
        if (last?.output_type === 'stream' && last.name === name) last.text += text;
        else this.outputs.push({ output_type: 'stream', name, text });
        return;
      }
      case 'display_data':
        this.beforeOutput();
        this.push({ output_type: 'display_data', data: bundle(c.data), metadata: bundle(c.metadata) }, displayId(c));
        return;
      case 'execute_result':
        this.beforeOutput();
        this.push(
          { output_type: 'execute_result', execution_count: typeof c.execution_count === 'number' ? c.execution_count : null, data: bundle(c.data), metadata: bundle(c.metadata) },
          displayId(c),
        );
        return;
      case 'update_display_data': {
        const id = displayId(c);
        for (const output of (id && this.displays.get(id)) || []) {
          if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
            output.data = bundle(c.data);
            output.metadata = bundle(c.metadata);
          }
        }
        return;
      }
      case 'clear_output':
        // wait=true: keep what is shown until the next output arrives, so it does not flicker.
        if (c.wait) this.clearBeforeNext = true;
        else this.clear();
        return;
      case 'error': {
        const error = { ename: String(c.ename ?? ''), evalue: String(c.evalue ?? ''), traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [] };
        this.errors.push(error);
        this.beforeOutput();
        this.outputs.push({ output_type: 'error', ...error });
        return;
      }
      default:
        // comm messages and others have no nbformat output
        return;
    }
  }

  /** The outputs as nbformat stores them: carriage returns resolved in streams. */
  finish(): Output[] {
    for (const output of this.outputs) if (output.output_type === 'stream') output.text = resolveCarriageReturns(output.text);
    return this.outputs;
  }

  private beforeOutput(): void {
    if (!this.clearBeforeNext) return;
    this.clearBeforeNext = false;
    this.clear();
  }

  private clear(): void {
    for (const output of this.outputs) {
      for (const [id, list] of this.displays) {
        const kept = list.filter((o) => o !== output);
        if (kept.length) this.displays.set(id, kept);
        else this.displays.delete(id);
      }
    }
    this.outputs.length = 0;
  }

  private push(output: Output, id: string | null): void {
    this.outputs.push(output);
    if (id) this.displays.set(id, [...(this.displays.get(id) ?? []), output]);
  }
}

function bundle(value: unknown): MimeBundle {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as MimeBundle) : {};
}

function displayId(content: { [key: string]: unknown }): string | null {
  const transient = content.transient as { display_id?: unknown } | undefined;
  return typeof transient?.display_id === 'string' && transient.display_id ? transient.display_id : null;
}

/** A progress line redrawn with `\r` keeps only its last state, as a terminal would show it. */
export function resolveCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      // a trailing \r has not been overwritten yet: what precedes it is still on screen
      const shown = line.replace(/\r+$/, '');
      return shown.slice(shown.lastIndexOf('\r') + 1);
    })
    .join('\n');
}

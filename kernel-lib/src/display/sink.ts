/** Where output goes: the tslab kernel (behind a tiny Sink interface), a terminal, or a plain stream. */
import { dirname, join } from 'node:path';

/** MIME data as Jupyter carries it: text, or a JSON value for JSON MIME types (plotly's). */
export type MimeData = string | object;

export interface DisplayHandle {
  /** Replaces what this display shows. */
  raw(mime: string, data: MimeData): void;
}

/** The kernel-facing part of display, small enough to record in tests. */
export interface Sink {
  /** One output with one MIME type. */
  raw(mime: string, data: MimeData): void;
  /** One output offering several MIME types (the front end picks one); where the kernel allows it. */
  bundle?(data: { [mime: string]: MimeData }): void;
  /** An output that later calls overwrite in place. */
  newDisplay(): DisplayHandle;
}

export type Target = { kind: 'notebook'; sink: Sink } | { kind: 'terminal' | 'stream'; stream: TextStream };

export type TextStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * Sends `data` as one output when the sink can; otherwise one output per rich MIME type, in
 * order, leaving out the text/plain fallback that would show as a duplicate.
 */
export function emit(sink: Sink, data: { [mime: string]: MimeData }): void {
  if (sink.bundle) return sink.bundle(data);
  const entries = Object.entries(data);
  const rich = entries.filter(([mime]) => mime !== 'text/plain');
  for (const [mime, value] of rich.length ? rich : entries) sink.raw(mime, value);
}

interface TslabJupyter {
  lastWriteDisplayData: ((message: { data: object; metadata: object; transient: object }, update: boolean) => void) | null;
}

interface TslabPublic {
  display: { raw(mime: string, data: unknown): void };
  newDisplay(): { raw(mime: string, data: unknown): void };
}

/**
 * The tslab kernel this process is, if it is one. The signal is tslab's own: its jupyter module
 * is loaded (the kernel loads it at start; a plain `require('tslab')` does not) and holds the
 * display writer of the executing cell, which is exactly when tslab.display works. Any copy of
 * tslab counts (a global kernel may run a project's local tslab), so require.cache is searched
 * rather than resolving `tslab` from here; and nothing is loaded outside a kernel.
 */
export function tslabSink(): Sink | null {
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const jupyter = mod?.exports as TslabJupyter | undefined;
    if (typeof jupyter?.lastWriteDisplayData !== 'function') continue;
    const tslab = require(join(dirname(file), 'public.js')) as TslabPublic;
    return {
      raw: (mime, data) => tslab.display.raw(mime, data),
      // tslab's public display sends one MIME type per message; its writer takes a whole
      // display_data content, which lets a front end choose (plotly natively, or the HTML).
      bundle: (data) => {
        const write = jupyter.lastWriteDisplayData;
        if (typeof write !== 'function') throw new Error('tslab is not executing a cell');
        write({ data, metadata: {}, transient: {} }, false);
      },
      newDisplay: () => {
        const display = tslab.newDisplay();
        return { raw: (mime, data) => display.raw(mime, data) };
      },
    };
  }
  return null;
}

/** The notebook when this is a tslab kernel, else the stream (a terminal when it is a TTY). */
export function currentTarget(stream: TextStream = process.stdout): Target {
  const sink = tslabSink();
  if (sink) return { kind: 'notebook', sink };
  return { kind: stream.isTTY ? 'terminal' : 'stream', stream };
}

export type Environment = 'notebook' | 'terminal' | 'stream';

/** Where show() would put its output now: a tslab notebook, a terminal (TTY) or a plain stream. */
export function detectEnvironment(stream: TextStream = process.stdout): Environment {
  return currentTarget(stream).kind;
}

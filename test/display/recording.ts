/** Test doubles for display: a sink that records what a kernel would send, and a text stream. */
import type { MimeData, Sink, TextStream } from '../../kernel-lib/src/display/sink';

export interface Output {
  /** 'display' for a new output; 'update' when a display handle overwrote its output. */
  kind: 'display' | 'update';
  /** Which newDisplay() handle sent it (null: a plain display). */
  handle: number | null;
  data: { [mime: string]: MimeData };
}

export interface RecordingSink extends Sink {
  outputs: Output[];
  handles: number;
}

/** Records outputs the way Jupyter would receive them; `bundle: false` models a kernel with one MIME type per message. */
export function recordingSink(options: { bundle?: boolean } = {}): RecordingSink {
  const sink: RecordingSink = {
    outputs: [],
    handles: 0,
    raw(mime, data) {
      sink.outputs.push({ kind: 'display', handle: null, data: { [mime]: data } });
    },
    newDisplay() {
      const handle = sink.handles++;
      let shown = false;
      return {
        raw(mime, data) {
          sink.outputs.push({ kind: shown ? 'update' : 'display', handle, data: { [mime]: data } });
          shown = true;
        },
      };
    },
  };
  if (options.bundle !== false) sink.bundle = (data) => void sink.outputs.push({ kind: 'display', handle: null, data: { ...data } });
  return sink;
}

export function textStream(options: { isTTY?: boolean; columns?: number } = {}): TextStream & { text: string } {
  const stream = {
    text: '',
    isTTY: options.isTTY,
    columns: options.columns,
    write(chunk: string | Uint8Array) {
      stream.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    },
  };
  return stream as unknown as TextStream & { text: string };
}

/** A new kernel session, as far as the once-per-session plotly embedding is concerned. */
export function newKernelSession(): void {
  delete (globalThis as { [key: symbol]: unknown })[Symbol.for('labbook.display.plotlyEmbedded')];
}

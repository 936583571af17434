/** Micro-batching: predict requests arriving together run as one model call (up to maxSize examples or maxDelayMs), results split back. */
import type { Prediction } from '../model-package';

export interface BatchOptions {
  /** Most examples in one model call (a larger request runs alone). */
  maxSize: number;
  /** Longest a request waits for others to join its batch. */
  maxDelayMs: number;
}

interface Waiting {
  examples: unknown[];
  resolve: (p: Prediction[]) => void;
  reject: (e: unknown) => void;
}

export class Batcher {
  private queue: Waiting[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly predict: (examples: unknown[]) => Prediction[] | Promise<Prediction[]>,
    private readonly options: BatchOptions,
    private readonly onBatch: (examples: number) => void = () => {},
  ) {}

  submit(examples: unknown[]): Promise<Prediction[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ examples, resolve, reject });
      this.queued += examples.length;
      if (this.queued >= this.options.maxSize) this.schedule(0);
      else if (this.timer === null) this.schedule(this.options.maxDelayMs);
    });
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), ms);
  }

  private flush(): void {
    this.timer = null;
    const batch: Waiting[] = [];
    let size = 0;
    while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0].examples.length <= this.options.maxSize)) {
      const next = this.queue.shift()!;
      batch.push(next);
      size += next.examples.length;
    }
    this.queued -= size;
    if (this.queue.length > 0) this.schedule(this.queued >= this.options.maxSize ? 0 : this.options.maxDelayMs);
    this.run(batch, size);
  }

  private run(batch: Waiting[], size: number): void {
    let predictions: Prediction[] | Promise<Prediction[]>;
    try {
      this.onBatch(size);
      predictions = this.predict(batch.flatMap((w) => w.examples));
    } catch (error) {
      this.failed(batch, error);
      return;
    }
    // An asynchronous runtime (onnxruntime) answers later; the next batch may start meanwhile.
    if (predictions instanceof Promise) predictions.then((p) => this.split(batch, p), (error) => this.failed(batch, error));
    else this.split(batch, predictions);
  }

  /** Each request was checked alone, so a failing batch is rare; run its requests one by one so one bad request fails only itself. */
  private failed(batch: Waiting[], error: unknown): void {
    if (batch.length === 1) batch[0].reject(error);
    else for (const w of batch) this.run([w], w.examples.length);
  }

  private split(batch: Waiting[], predictions: Prediction[]): void {
    let at = 0;
    for (const w of batch) {
      w.resolve(predictions.slice(at, at + w.examples.length));
      at += w.examples.length;
    }
  }
}

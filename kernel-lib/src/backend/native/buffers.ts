/**
 * Reuse of the native backend's float32 output storage. A training step allocates the same
 * arrays every time (activations, gradients, optimizer state); fresh typed arrays cost a zeroing
 * allocation, page faults on first touch and garbage-collector work (a 5 MB pooling gradient cost
 * more to allocate than to compute). Kernels that write every element of their output take it
 * from here instead; a tensor's storage comes back when tfjs disposes it.
 *
 * Only storage this pool handed out is ever reused, and only while nothing else can see it:
 * storage that left the backend (read by dataSync/data, or given to a cpu kernel, which may
 * keep a view of it or hand it on as its own output) is forgotten, never reused.
 */

/** Total bytes kept for reuse: beyond this, disposed storage goes to the garbage collector. */
const POOL_BYTES = 256 * 1024 * 1024;
/** Arrays below this size are cheaper to allocate than to track. */
const MIN_ELEMENTS = 1024;

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  /** Storage handed out by take() that nothing outside the native kernels has seen. */
  private readonly owned = new WeakSet<Float32Array>();
  /** Owned storage that backs a live tensor now. */
  private readonly live = new WeakSet<Float32Array>();
  private bytes = 0;
  /**
   * Fill everything take() hands out with NaN: a kernel that leaves any element of its output
   * unwritten then shows NaN instead of a stale value (tests turn this on).
   */
  poison = process.env.LABBOOK_NATIVE_POISON === '1';

  /** An array of n elements whose contents are unspecified: the caller writes every element. */
  take(n: number): Float32Array {
    const values = this.reuse(n);
    return this.poison ? values.fill(Number.NaN) : values;
  }

  private reuse(n: number): Float32Array {
    if (n < MIN_ELEMENTS) return new Float32Array(n);
    const reused = this.free.get(n)?.pop();
    if (reused !== undefined) {
      this.bytes -= reused.byteLength;
      return reused;
    }
    const fresh = new Float32Array(n);
    this.owned.add(fresh);
    return fresh;
  }

  /**
   * Storage becoming a tensor's. A second tensor on the same array (a kernel returning one array
   * as two outputs) makes it shared: disposing one must not free it under the other.
   */
  adopt(values: Float32Array): void {
    if (!this.owned.has(values)) return;
    if (this.live.has(values)) this.escape(values);
    else this.live.add(values);
  }

  /** Storage of a disposed tensor: kept for take() if this pool owns it and there is room. */
  release(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values)) return;
    this.live.delete(values);
    if (this.bytes + values.byteLength > POOL_BYTES) return;
    const stack = this.free.get(values.length);
    if (stack === undefined) this.free.set(values.length, [values]);
    else stack.push(values);
    this.bytes += values.byteLength;
  }

  /**
   * Whether this pool handed the storage out, it backs a live tensor and nothing outside the
   * native kernels has seen it: a kernel may then write it in place for that tensor (with the
   * backend's reference count, which says whether a second tensor shares it).
   */
  exclusive(values: unknown): boolean {
    return values instanceof Float32Array && this.owned.has(values) && this.live.has(values);
  }

  /** Storage something outside the native kernels may hold on to: never reused. */
  escape(values: unknown): void {
    if (values instanceof Float32Array) this.owned.delete(values);
  }

  /** Bytes held for reuse now (for tests and diagnostics). */
  get pooledBytes(): number {
    return this.bytes;
  }
}

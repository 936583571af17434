/**
 * Whole answers of GET /api/compare kept for the registry's version they were made at: opening the
 * same comparison again (a reload, a shared permalink) is sent from here, without reading 100 runs
 * and serializing a megabyte again (~60 ms of work, 100-300 ms while the browser takes the CPUs).
 * Only on SQLite, whose data_version moves with every commit of another connection; and only
 * answers without a running run, whose status a crash may change with no commit at all.
 */
export class AnswerCache {
  private readonly answers = new Map<string, { version: string; body: string }>();

  constructor(private readonly max = 16) {}

  get(key: string, version: string): string | undefined {
    const hit = this.answers.get(key);
    if (hit === undefined || hit.version !== version) return undefined;
    // Now the most recently used.
    this.answers.delete(key);
    this.answers.set(key, hit);
    return hit.body;
  }

  set(key: string, version: string, body: string): void {
    this.answers.delete(key);
    this.answers.set(key, { version, body });
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.max) break;
      this.answers.delete(oldest);
    }
  }
}

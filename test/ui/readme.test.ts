/** The README's Web UI section as written: `npx labbook ui` starts on 127.0.0.1:8600, and its curl line answers. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { collect, ROOT, tempDir, waitForLine } from '../helpers';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('## Web UI'), README.indexOf('## The filter language'));
/** The section's shell lines, comments removed. */
const LINES = [...SECTION.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);

let db: string;
let server: ReturnType<typeof spawn> | undefined;

beforeAll(() => {
  db = join(tempDir('labbook-ui-readme-'), 'labbook.db');
  const registry = openRegistry({ db, create: true });
  [0.95, 0.5, 0.99].forEach((acc, i) => registry.startRun({ experiment: 'e', config: { i } }).log({ acc }, 0).end());
  registry.close();
});

/** npx does not pass SIGTERM on to the command it runs; Ctrl-C in a terminal signals the whole group, and so does this. */
function stop(child: ReturnType<typeof spawn>): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
}

afterAll(async () => {
  if (server) {
    stop(server);
    await collect(server);
  }
});

describe("the README's Web UI lines", () => {
  it('are `npx labbook ui` and a curl of the API', () => {
    expect(LINES[0]).toBe('npx labbook ui');
    expect(LINES.slice(1).every((l) => l.startsWith('curl '))).toBe(true);
  });

  it('run as written: the UI starts where the README says, the curl lists the runs it says, a signal to its process group stops it, as Ctrl-C does', async () => {
    server = spawn('bash', ['-c', `exec ${LINES[0]}`], { cwd: ROOT, detached: true, env: { ...process.env, LABBOOK_DB: db, LABBOOK_UI_TOKEN: '', npm_config_yes: 'true' } });
    const line = await waitForLine(server, 'labbook ui: ');
    expect(line).toMatch(/^labbook ui: http:\/\/127\.0\.0\.1:8600\/ \(registry; read-only\)/);
    for (const command of LINES.slice(1)) {
      const curl = await collect(spawn('bash', ['-c', command], { cwd: ROOT }));
      expect(curl.code, curl.stderr).toBe(0);
      const body = JSON.parse(curl.stdout) as { runs: { metrics: { acc: number } }[] };
      expect(body.runs.map((r) => r.metrics.acc)).toEqual([0.99, 0.95]);
    }
    const running = server;
    server = undefined;
    stop(running);
    await collect(running);
    await expect(fetch('http://127.0.0.1:8600/api')).rejects.toThrow();
  });
});

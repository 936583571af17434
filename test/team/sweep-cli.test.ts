/** `labbook sweep create | show | stop --db postgres://...` through the real CLI, with real `labbook worker` processes (separate local registries) on a real PostgreSQL. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { listTrials } from '../../kernel-lib/src/team/queue';
import { CLI, collect, expectMistakes, ROOT, runCli, tempDb } from '../helpers';
import { NO_STORE_ENV as env, useQueueDatabase } from '../fixtures/queue/setup';

const FILE = join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-sweep.ts');
// Not migrated: `sweep create` migrates the store it is given.
const team = useQueueDatabase('sweep_cli', { migrate: false });
// The password goes in PGPASSWORD, not the URL, so the worker command `sweep create` prints (its
// URL redacted) is runnable exactly as printed.
let bare = '';
let password = '';

beforeAll(() => {
  const u = new URL(team.db.url);
  password = decodeURIComponent(u.password);
  u.password = '';
  bare = u.toString();
});

function localRuns(path: string): { id: number; experiment: string; status: string; tags: { [key: string]: string } }[] {
  if (!existsSync(path)) return [];
  const registry = openRegistry({ db: path, create: false });
  try {
    const ids = registry.db.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as number[];
    return ids.map((id) => registry.getRun(id)).map((r) => ({ id: r.id, experiment: r.experiment, status: r.status, tags: r.tags }));
  } finally {
    registry.close();
  }
}

describe('labbook sweep on the team store', () => {
  it('create -> two workers -> show lists every trial once with the best; --json is the team store\'s trials; stop', async () => {
    const creator = tempDb();
    const created = await runCli(['sweep', 'create', FILE, '--db', bare, '--local', creator, '--trials', '4', '--max-attempts', '2'], { ...env, PGPASSWORD: password });
    expect(created.code, created.stderr).toBe(0);
    const command = /^ {2}(labbook worker --sweep (\d+) --db (\S+))$/m.exec(created.stdout);
    expect(command, created.stdout).not.toBeNull();
    const id = Number(command![2]);
    expect(command![3]).toBe(bare);

    // The parent run: runSweep's shape, recorded locally and synced; the team sweep hangs off its team run.
    const [parent] = localRuns(creator);
    expect(parent).toMatchObject({ experiment: 'sweep:sweep-tiny', status: 'finished', tags: { 'labbook.sweep': 'parent', 'sweep.team_sweep': String(id) } });
    const { rows } = await team.pool.query(
      `SELECT s.status, s.max_attempts, e.name AS experiment, (SELECT value FROM tags t WHERE t.run_id = r.id AND t.key = 'labbook.sweep') AS tag, r.config
       FROM sweeps s JOIN runs r ON r.id = s.run_id JOIN experiments e ON e.id = r.experiment_id WHERE s.id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'open', max_attempts: 2, experiment: 'sweep:sweep-tiny', tag: 'parent' });
    expect(JSON.parse(rows[0].config)).toMatchObject({ experiment: 'sweep-tiny', budget: { trials: 4 }, seed: 11 });

    // Two machines: the printed command, each with its own local registry.
    const args = command![1].split(' ').slice(1);
    const workers = [tempDb(), tempDb()].map((local) =>
      collect(spawn(process.execPath, [CLI, ...args, '--local', local, '--heartbeat', '2'], { cwd: ROOT, env: { ...process.env, ...env, PGPASSWORD: password } })),
    );
    for (const w of await Promise.all(workers)) expect(w.code, w.stderr).toBe(0);

    const trials = await listTrials(team.pool, id);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    expect(trials.every((t) => ['complete', 'pruned'].includes(t.queueState) && t.runId !== null && t.attempts === 1 && t.worker !== null)).toBe(true);
    const best = trials.filter((t) => t.queueState === 'complete').sort((a, b) => a.value! - b.value! || a.number - b.number)[0];

    // One parent run for the whole sweep: every worker's trials are its children (no per-worker
    // parent in between), and it ended with the sweep, as runSweep's parent does.
    const teamParent = (await team.pool.query('SELECT run_id FROM sweeps WHERE id = $1', [id])).rows[0].run_id;
    const children = await runCli(['runs', '--parent', String(teamParent), '--db', team.db.url, '--json'], env);
    expect(children.code, children.stderr).toBe(0);
    expect(JSON.parse(children.stdout).map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b)).toEqual(trials.map((t) => t.runId).sort((a, b) => a! - b!));
    const sweeps = await runCli(['runs', '--where', "experiment = 'sweep:sweep-tiny'", '--db', team.db.url, '--json'], env);
    expect(JSON.parse(sweeps.stdout).map((r: { id: number }) => r.id)).toEqual([Number(teamParent)]);
    const parentShown = await runCli(['show', String(teamParent), '--db', team.db.url, '--json'], env);
    expect(JSON.parse(parentShown.stdout)).toMatchObject({
      status: 'finished',
      metrics: { best_value: best.value },
      tags: { 'sweep.best_trial': String(best.number), 'sweep.best_run': String(best.runId), 'sweep.stopped': 'budget: 4 trials' },
    });

    const shown = await runCli(['sweep', 'show', String(id), '--db', team.db.url], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^sweep ${id}  sweep-tiny  done  seed 11$`, 'm'));
    expect(shown.stdout).toMatch(/^trials: 4 \(/m);
    expect(shown.stdout).toContain(`best: trial ${best.number} (run ${best.runId}) final_val_loss `);
    expect(shown.stdout).toMatch(/^rank +trial +run +state +final_val_loss +(last val_loss +)?params +pruned_step +attempts +worker/m);
    expect(shown.stdout).toMatch(/^importance \(PED-ANOVA\): /m);
    for (const t of trials) {
      // Each trial's row, once: rank, number, its team run, its state.
      const row = new RegExp(`^(\\d+|-) +${t.number} +${t.runId} +${t.queueState} `, 'gm');
      expect(shown.stdout.match(row), `trial ${t.number}`).toHaveLength(1);
    }
    if (trials.some((t) => t.queueState === 'pruned')) expect(shown.stdout).toMatch(/^why trials stopped:$/m);

    // LABBOOK_DB names the team store as well as --db; --json has the team store's trials as they are.
    const json = await runCli(['sweep', 'show', String(id), '--json'], { ...env, LABBOOK_DB: team.db.url });
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.trials).toEqual(JSON.parse(JSON.stringify(trials)));
    expect(doc).toMatchObject({ id, status: 'done', best: { trial: best.number, run: best.runId, value: best.value } });
    expect(doc.leaderboard).toHaveLength(4);

    // A second sweep, stopped before any worker: workers then find nothing to claim.
    const again = await runCli(['sweep', 'create', FILE, '--db', team.db.url, '--local', creator, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.worker).toBe(`labbook worker --sweep ${second.id} --db ${team.db.url.replace(`:${password}@`, ':***@')}`);
    expect(again.stdout).not.toContain(`:${password}@`);
    const stopped = await runCli(['sweep', 'stop', String(second.id), '--db', team.db.url], env);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toBe(`team sweep ${second.id} stopped: workers claim no more trials\n`);
    expect((await team.pool.query('SELECT status FROM sweeps WHERE id = $1', [second.id])).rows[0].status).toBe('stopped');
    const after = await runCli(['sweep', 'show', String(second.id), '--db', team.db.url], env);
    expect(after.stdout).toMatch(/stopped: labbook sweep stop/);
    expect(after.stdout).toMatch(/^trials: 0 \(none yet\)$/m);
  });

  it("the README's create -> workers -> show -> stop lines run as written (the worker line is the one create prints)", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Distributed sweeps (workers)'), readme.indexOf('### Sync (offline first)'));
    const lines = /```bash\n([\s\S]*?)```/.exec(section)![1].trim().split('\n').map((l) => l.replace(/\s+#.*$/, '').split(/\s+/));
    expect(lines.map((l) => l.slice(0, 2).join(' '))).toEqual(['labbook sweep', 'labbook worker', 'labbook sweep', 'labbook sweep']);
    const run = (words: string[], id = '') =>
      runCli(words.slice(1).map((w) => (w.startsWith('postgres://') ? bare : w === '12' ? id : w)), { ...env, PGPASSWORD: password, LABBOOK_LOCAL_DB: tempDb() });
    const created = await run(lines[0]);
    expect(created.code, created.stderr).toBe(0);
    const worker = /^ {2}(labbook worker --sweep (\d+) --db \S+)$/m.exec(created.stdout)!;
    expect(worker[1].split(' ')).toEqual(lines[1].map((w) => (w.startsWith('postgres://') ? bare : w === '12' ? worker[2] : w)));
    for (const words of lines.slice(2)) {
      const result = await run(words, worker[2]);
      expect(result.code, `${words.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect((await team.pool.query('SELECT status FROM sweeps WHERE id = $1', [Number(worker[2])])).rows[0].status).toBe('stopped');
  });

  it('an unreachable team store: one line, exit 1, no password, nothing recorded', async () => {
    const local = tempDb();
    const result = await runCli(['sweep', 'create', FILE, '--db', 'postgres://alice:s3cret-pw@127.0.0.1:1/team', '--local', local], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^labbook: Sweep not created: Cannot reach the team store at postgres:\/\/alice:\*\*\*@127\.0\.0\.1:1\/team: .*nothing was recorded; run the same command again/);
    expect(result.stderr).not.toContain('s3cret');
    expect(localRuns(local)).toEqual([]);
  });

  it('sweep list: every team sweep, newest first, with its trials counted by state; --json', async () => {
    const created = await runCli(['sweep', 'create', FILE, '--db', team.db.url, '--local', tempDb(), '--trials', '3', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: number };
    await team.pool.query(
      `INSERT INTO trials (sweep_id, number, params, state) VALUES ($1, 0, '{}', 'complete'), ($1, 1, '{}', 'running'), ($1, 2, '{}', 'failed'), ($1, 3, '{}', 'queued')`,
      [id],
    );
    const json = await runCli(['sweep', 'list', '--db', team.db.url, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { id: number; experiment: string; sampler: string; status: string; trials: object; createdAt: string }[];
    expect(doc.map((s) => s.id)).toEqual([...doc.map((s) => s.id)].sort((a, b) => b - a));
    expect(doc.map((s) => s.id)).toContain(id);
    const mine = doc.find((s) => s.id === id)!;
    expect(mine).toMatchObject({ experiment: 'sweep-tiny', status: 'open', trials: { complete: 1, pruned: 0, running: 1, queued: 1, failed: 1 } });
    expect(mine.sampler).toMatch(/^(tpe|random|grid)$/);
    expect(new Date(mine.createdAt).toISOString()).toBe(mine.createdAt);
    // The table, from LABBOOK_DB: one row per sweep under its header.
    const text = await runCli(['sweep', 'list'], { ...env, LABBOOK_DB: team.db.url });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^id +experiment +sampler +status +complete +pruned +running +queued +failed +created$/m);
    expect(text.stdout).toMatch(new RegExp(`^${id} +sweep-tiny +${mine.sampler} +open +1 +0 +1 +1 +1 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`, 'm'));
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(doc.length + 1);
  });

  it('sweep run/resume on a PostgreSQL --db are refused with the way to a team sweep; create/stop need one', async () => {
    const results = await expectMistakes([
      [['sweep', 'run', FILE, '--db', team.db.url], /^labbook: `labbook sweep run` works on a local registry only: .*`labbook sweep create FILE --db postgres:\/\/\.\.\.` records the sweep there, then `labbook worker --sweep ID --db postgres:\/\/\.\.\.` on each machine/],
      [['sweep', 'resume', '1', '--db', team.db.url], /^labbook: `labbook sweep resume` works on a local registry only: /],
      [['sweep', 'stop', '1', '--db', tempDb()], /^labbook: `labbook sweep stop` works on the team store: expected --db postgres:\/\/\.\.\. or LABBOOK_DB set to one/],
      [['sweep', 'show', '424242', '--db', team.db.url], /^labbook: No such sweep: expected the id of a sweep in the team store, received 424242\. List them with `labbook sweep list --db postgres:\/\/\.\.\.`\.\n$/],
      [['sweep', 'list', '--db', tempDb()], /^labbook: `labbook sweep list` works on the team store: expected --db postgres:\/\/\.\.\. or LABBOOK_DB set to one/],
      [['sweep', 'list', '3', '--db', team.db.url], /^labbook: Invalid arguments: expected no argument after `sweep list`, received "3"\./],
      [['sweep', 'show', '--db', team.db.url], /^labbook: Invalid arguments: expected a sweep id after `sweep show`, received none\./],
    ], undefined, env);
    for (const result of results) expect(result.stderr).not.toContain(`:${password}@`);
  });
});

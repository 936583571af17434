/**
 * The README's quick start as a new user runs it: a fresh clone of this repository's HEAD, one
 * `npm run setup && npm start`, then the `npx labbook ...` commands the README names, as written.
 * (CI's own checkout runs `npm run setup` then `npm test`, the quick start's second line.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, ROOT } from '../helpers';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The commands of the quick start's ```sh block, comments removed. */
function quickStartCommands(): string[] {
  const section = README.slice(README.indexOf('## Quick start'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean);
}

/** Every `npx labbook ...` the quick start's text tells a user to try next. */
function nextCommands(): string[] {
  const section = README.slice(README.indexOf('## Quick start'), README.indexOf('## Layout'));
  return [...section.matchAll(/`(npx labbook [^`]+)`/g)].map((m) => m[1]);
}

let clone = '';

/** Runs a shell command in the clone (asynchronously: a blocked worker would lose vitest's RPC). */
async function sh(command: string, timeoutMs = 600_000): Promise<{ code: number | null; stdout: string; out: string }> {
  const child = spawn('bash', ['-c', command], { cwd: clone, timeout: timeoutMs, env: { ...process.env, npm_config_yes: 'true' } });
  const { code, stdout, stderr } = await collect(child);
  return { code, stdout, out: `${stdout}${stderr}` };
}

describe('the README, as written, on a fresh clone', () => {
  beforeAll(() => {
    clone = mkdtempSync(join(tmpdir(), 'labbook-readme-'));
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
  });
  afterAll(() => rmSync(clone, { recursive: true, force: true }), 300_000);

  it('quick start: one `npm run setup && npm start` leaves `npx labbook` working', async () => {
    const [setupAndStart, test] = quickStartCommands();
    expect(setupAndStart).toBe('npm run setup && npm start');
    expect(test).toBe('npm test');
    const result = await sh(setupAndStart, 1_500_000);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('executed notebook');
    // npm links the bin on the first install, and git keeps the file executable.
    const bin = join(clone, 'node_modules', '.bin', 'labbook');
    expect(existsSync(bin)).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    for (const file of ['.labbook/labbook.db', '.labbook/quickstart/report.html', '.labbook/quickstart/01-quickstart.ipynb']) {
      expect(existsSync(join(clone, file)), file).toBe(true);
    }
    // The install left the committed lockfile as it was.
    expect((await sh('git status --porcelain')).out).toBe('');
  }, 1_560_000);

  it('the commands it names next work as written', async () => {
    const commands = nextCommands();
    expect(commands).toEqual(['npx labbook runs', 'npx labbook run mnist-mlp', 'npx labbook reproduce ID', 'npx labbook diff 1 2']);
    let id = '';
    for (const command of commands) {
      const result = await sh(command.replace('ID', id), 1_200_000);
      expect(result.code, `${command}\n${result.out}`).toBe(0);
      if (command === 'npx labbook run mnist-mlp') id = /npx labbook reproduce (\d+)/.exec(result.out)?.[1] ?? '';
      if (command.startsWith('npx labbook reproduce')) expect(result.out).toMatch(/REPRODUCED/);
    }
    expect(id).not.toBe('');
    expect((await sh('npx labbook runs')).out).toMatch(/quickstart-penguins[\s\S]*mnist-mlp|mnist-mlp[\s\S]*quickstart-penguins/);
  }, 1_800_000);

  it('the kernelspec npm start names is the one Jupyter finds', async () => {
    const found = await sh('JUPYTER_PATH=.labbook/jupyter jupyter kernelspec list --json');
    expect(found.code, found.out).toBe(0);
    const specs = JSON.parse(found.stdout).kernelspecs as Record<string, { resource_dir: string; spec: { argv: string[] } }>;
    const ours = Object.values(specs).find((s) => resolve(clone, s.resource_dir).startsWith(clone));
    expect(ours, found.out).toBeDefined();
    expect(ours!.spec.argv.join(' ')).toContain(clone);
  });
});

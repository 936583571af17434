import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { findProjectRoot } from '../../kernel-lib/src/repro/root';
import { CLI, ROOT, runNode, tempDir } from '../helpers';

function write(file: string, json: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(json));
}

/** A monorepo: the root lists packages/* (and tools/**, but not tools/private) as workspaces. */
function monorepo(): string {
  const root = tempDir('labbook-mono-');
  write(join(root, 'package.json'), { private: true, workspaces: ['packages/*', 'tools/**', '!tools/private'] });
  for (const pkg of ['packages/app', 'tools/a/b', 'tools/private', 'other']) write(join(root, pkg, 'package.json'), { name: pkg.replace(/\//g, '-') });
  mkdirSync(join(root, 'packages/app/src/deep'), { recursive: true });
  return root;
}

function registryWith(db: string, experiment: string): void {
  const registry = openRegistry({ db, create: true });
  registry.startRun({ experiment, config: {}, seed: 1 }).end();
  registry.close();
}

describe('findProjectRoot', () => {
  it('is the workspace root from inside a workspace package, and the package itself when no workspace lists it', () => {
    const root = monorepo();
    expect(findProjectRoot(join(root, 'packages/app/src/deep'))).toBe(root);
    expect(findProjectRoot(join(root, 'packages/app'))).toBe(root);
    expect(findProjectRoot(join(root, 'tools/a/b'))).toBe(root);
    expect(findProjectRoot(join(root, 'tools/private'))).toBe(join(root, 'tools/private'));
    expect(findProjectRoot(join(root, 'other'))).toBe(join(root, 'other'));
    expect(findProjectRoot(root)).toBe(root);
  });

  it("is labbook's checkout root from kernel-lib/, a workspace with its own package.json", () => {
    expect(findProjectRoot(join(ROOT, 'kernel-lib', 'src'))).toBe(ROOT);
  });

  it('is the nearest folder holding .labbook/ where no package.json is above it', () => {
    const root = tempDir('labbook-loose-');
    mkdirSync(join(root, '.labbook'));
    mkdirSync(join(root, 'a/b'), { recursive: true });
    expect(findProjectRoot(join(root, 'a/b'))).toBe(root);
  });
});

describe('labbook runs from a folder inside a workspace package', () => {
  it("uses the workspace root's registry, not one beside the package; LABBOOK_DB and --db still override it", async () => {
    const root = monorepo();
    registryWith(join(root, '.labbook', 'labbook.db'), 'at-root');
    // What running from the package folder used to leave behind: a registry of its own.
    registryWith(join(root, 'packages/app/.labbook/labbook.db'), 'beside-package');
    const cwd = join(root, 'packages/app/src/deep');
    const runs = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> => {
      const result = await runNode([CLI, 'runs', '--json', ...args], { cwd, env: { LABBOOK_DB: '', ...env } });
      expect(result.stderr).toBe('');
      return (JSON.parse(result.stdout) as { experiment: string }[]).map((r) => r.experiment);
    };
    expect(await runs([])).toEqual(['at-root']);
    expect(await runs([], { LABBOOK_DB: join(root, 'packages/app/.labbook/labbook.db') })).toEqual(['beside-package']);
    expect(await runs(['--db', join(root, 'packages/app/.labbook/labbook.db')])).toEqual(['beside-package']);
  }, 60_000);
});

/**
 * The README's ```ts blocks compile and run as written: each is type-checked against this
 * checkout ('labbook' mapped to kernel-lib/src) and run as an ES module against a temp registry.
 * A block after `<!-- continues the block above -->` joins the program before it; one after
 * `<!-- not run: why -->` is type-checked only if it is complete, else skipped (keep those few).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { collect, ROOT } from '../helpers';

interface Program {
  line: number;
  source: string;
  run: boolean;
}

/** The README's ts programs: blocks joined by "continues", with whether each is meant to run. */
function programs(markdown: string): Program[] {
  const out: Program[] = [];
  const block = /((?:<!--([^>]*)-->\n)?)```ts\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(block)) {
    const note = (m[2] ?? '').trim();
    const line = markdown.slice(0, m.index).split('\n').length + (m[1] ? 1 : 0);
    if (note.startsWith('continues') && out.length) out[out.length - 1].source += `\n${m[3]}`;
    else out.push({ line, source: m[3], run: !note.startsWith('not run') });
  }
  return out;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PROGRAMS = programs(README);
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'labbook-readme-snippets-'));
  // Running: 'labbook' (and tfjs, danfo) resolve through this checkout's node_modules (labbook -> kernel-lib/dist).
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README's TypeScript blocks", () => {
  it('are found (with their notes)', () => {
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(2);
    expect(PROGRAMS.filter((p) => p.run).length).toBeGreaterThanOrEqual(2);
  });

  it('type-check against the package (strict), each as a module of its own', () => {
    const files = PROGRAMS.map((p, i) => {
      const file = join(dir, `block-${i}.ts`);
      writeFileSync(file, `${p.source}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      baseUrl: ROOT,
      paths: { labbook: ['kernel-lib/src/index.ts'], '*': ['node_modules/*', 'node_modules/@types/*'] },
    });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(d.file.fileName))
      .map((d) => {
        const at = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const i = files.indexOf(d.file!.fileName);
        return `README block at line ${PROGRAMS[i].line}, its line ${at.line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(errors).toEqual([]);
  }, 240_000);

  it.each(PROGRAMS.map((p, i) => [p.line, i, p] as const).filter(([, , p]) => p.run))(
    'the program at line %i runs as written against a temp registry, without tfjs banners, not on the cpu backend',
    async (_line, i, p) => {
      const db = join(dir, `registry-${i}.db`);
      const file = join(dir, `run-${i}.mjs`);
      writeFileSync(file, ts.transpileModule(p.source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText);
      const result = await collect(spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, LABBOOK_DB: db, LABBOOK_BACKEND: '' }, timeout: 240_000 }));
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
      const registry = openRegistry({ db });
      try {
        const ids = registry.sql('SELECT id FROM runs ORDER BY id').map((r) => (r as { id: number }).id);
        // A program that records runs must leave finished ones; one that never touches the registry (drift statistics), none.
        if (/runExperiment|runSweep|withRun|startRun/.test(p.source)) expect(ids.length).toBeGreaterThan(0);
        else expect(ids).toEqual([]);
        for (const id of ids) {
          const run = registry.getRun(id);
          expect(run.status).toBe('finished');
          // initBackend() ran first: the fastest backend here, never tfjs's fallback cpu one
          const backend = (run.env.backend as { name?: string } | null | undefined)?.name;
          expect(typeof backend).toBe('string');
          expect(backend).not.toBe('cpu');
        }
      } finally {
        registry.close();
      }
    },
    300_000,
  );
});

/** describeNotebook: one vitest suite per notebook, one test per code cell, then the reproducibility gate. */
import { join, relative } from 'node:path';
import { COMMITTED, committedOrError } from '../nbtest/committed';
import { gateRuns } from '../nbtest/gate';
import { readNotebook, TAGS } from '../nbtest/notebook';
import { readRuns } from '../nbtest/repro';
import { makeScratch, removeScratch } from '../nbtest/scratch';
import { NotebookSession, type Step } from '../nbtest/session';
import { findProjectRoot } from '../repro/root';
import { kernelCoverageEnv } from './coverage';
import { checkTestOptions, type NotebookTestOptions } from './options';
import { type ExpectLike, OutputChecks, updateMode } from './outputs';
import { cellTimeoutMs, planSteps, testName } from './plan';

/** The vitest functions the generated module passes in (structural, so labbook never imports vitest). */
export interface VitestApi {
  it: ((name: string, body: (context: TestContext) => Promise<void>, timeout?: number) => void) & { skip: (name: string, body: () => void) => void };
  beforeAll: (body: () => Promise<void>, timeout?: number) => void;
  afterAll: (body: () => Promise<void>, timeout?: number) => void;
  /** vitest's global expect: its state says whether snapshots are being updated (-u), for output regression. */
  expect?: ExpectLike;
}

interface TestContext {
  skip: (note?: string) => never;
  annotate?: (message: string) => Promise<unknown>;
}

/** Time for interrupting, then killing, a cell past its limit before vitest's own timeout fires. */
const SLACK_MS = 30_000;

export function describeNotebook(file: string, options: NotebookTestOptions, api: VitestApi): void {
  checkTestOptions(options);
  const doc = readNotebook(file);
  const steps = planSteps(doc, options.parameters ?? {});
  const defaultTimeout = cellTimeoutMs(doc, options);
  const startupMs = (options.startupTimeout ?? 60) * 1000;
  const label = relative(findProjectRoot(file), file).split('\\').join('/');
  const state: { session: NotebookSession | null; db: string; scratch: string[]; deadline: number; failed: string | null } = { session: null, db: '', scratch: [], deadline: Infinity, failed: null };
  const scratchDb = (prefix: string): string => {
    const dir = makeScratch(prefix);
    state.scratch.push(dir);
    return join(dir, 'labbook.db');
  };
  const checks = new OutputChecks(file, doc, options.sanitizers);

  // Tests at the file's top level: vitest already names the file, so a describe() would repeat it.
  api.beforeAll(async () => {
    state.db = scratchDb('labbook-vitest-');
    state.session = await NotebookSession.open(file, { db: state.db, parameters: options.parameters, startupTimeoutMs: startupMs, removeIfOrphaned: [...state.scratch], env: kernelCoverageEnv() });
    // The notebook's limit covers its cells; the kernel's start has its own (startupTimeout).
    if (options.notebookTimeout) state.deadline = Date.now() + options.notebookTimeout * 1000;
  }, startupMs + SLACK_MS);
  api.afterAll(async () => {
    await state.session?.close();
    for (const dir of state.scratch) removeScratch(dir);
    // Outputs accepted by `vitest -u` (or new ones) are committed only from a notebook whose cells all ran.
    if (!state.failed) checks.write();
  }, SLACK_MS);

  steps.forEach((planned, k) => {
    const name = testName(planned);
    if (planned.tags.includes(TAGS.skip) || planned.source.trim() === '') return api.it.skip(name, () => {});
    const limit = planned.timeoutMs ?? defaultTimeout;
    api.it(name, async (context) => {
      // After a failure the later cells are not run (their state would be missing), as in nbconvert.
      if (state.failed) context.skip(`not run: ${state.failed}`);
      const session = state.session!;
      if (session.openError) {
        // The first cell says why nothing ran; the rest are skipped rather than failed again.
        state.failed = 'the notebook did not start';
        throw cellError(`the notebook did not start: ${session.openError}`);
      }
      const step = matching(session.codeSteps[k], planned);
      const left = state.deadline - Date.now();
      if (left <= 0) {
        state.failed = `the notebook's limit of ${options.notebookTimeout} s ran out before cell ${planned.index}`;
        throw cellError(state.failed);
      }
      const outcome = await session.run(step, { timeoutMs: Math.min(limit, left) });
      if (outcome.failure) {
        state.failed = `cell ${planned.index} failed`;
        const notebookLimit = left < limit && outcome.failure.error.startsWith('timed out');
        if (notebookLimit) throw cellError(`the notebook's limit of ${options.notebookTimeout} s ran out during cell ${planned.index} (${outcome.failure.error})`);
        throw cellError(failureReport(outcome.failure));
      }
      const regression = planned.injected ? null : checks.check(planned.index, step.cell, updateMode(api.expect));
      if (regression) throw cellError(regression);
    }, limit + SLACK_MS);
  });

  if (options.repro !== false) {
    const baseline = options.baseline ?? (typeof options.repro === 'object' ? options.repro.baseline : undefined);
    const against = baseline === COMMITTED ? 'as committed in the notebook' : baseline ? 'as the baseline' : 'in a second execution';
    api.it(`reproduces: checkpointed runs end on the same SHA-256 ${against}`, async (context) => {
      if (state.failed || !state.session) context.skip(`not checked: ${state.failed ?? 'the notebook did not run'}`);
      const gate = await gateRuns(file, readRuns(state.db), {
        baseline,
        // As collected, before any kernel ran: the hashes the file publishes.
        committed: baseline === COMMITTED ? committedOrError(doc, label) : undefined,
        rerun: () => ({ db: scratchDb('labbook-vitest-rerun-'), parameters: options.parameters, startupTimeoutMs: startupMs, timeoutMs: defaultTimeout, removeIfOrphaned: [...state.scratch] }),
      });
      if (gate.repro.status === 'failed') throw cellError(`${label} is not reproducible: ${gate.repro.reason}\n\n${gate.repro.report ?? ''}`.trim());
      // Nothing checkpointed is nothing to compare bit for bit: the test passes and says so.
      if (gate.repro.status === 'skipped') await context.annotate?.(`reproducibility not gated: ${gate.repro.reason}`);
    }, Math.max(defaultTimeout * steps.length, 600_000) + startupMs);
  }
}

/** The session plans from the file as it is when the kernel starts; a notebook edited since collection is an error, not a silent mismatch. */
function matching(step: Step | undefined, planned: { index: number; source: string }): Step {
  if (!step || step.index !== planned.index || step.source !== planned.source) {
    throw cellError(`cell ${planned.index} changed between collection and execution: the notebook was edited while its tests ran. Run them again.`);
  }
  return step;
}

function failureReport(failure: { index: number; injected: boolean; executionCount: number | null; source: string; error: string }): string {
  const where = failure.injected ? `the injected parameters cell (after cell ${failure.index})` : `cell ${failure.index}`;
  const count = failure.executionCount === null ? '' : ` [${failure.executionCount}]`;
  const source = failure.source.split('\n').map((l) => `    ${l}`).join('\n');
  return `${where}${count} failed\n\n  source:\n${source}\n\n  kernel said:\n${failure.error.split('\n').map((l) => `    ${l}`).join('\n')}`;
}

/** An error whose stack is its message: the frames would be labbook's and vitest's, never the notebook's. */
function cellError(message: string): Error {
  const error = new Error(message);
  error.name = 'NotebookCellError';
  error.stack = `${error.name}: ${message}`;
  return error;
}

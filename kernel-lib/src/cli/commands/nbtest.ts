/** `labbook nbtest [PATHS...]`: executes notebooks on tslab as tests and checks their runs reproduce. */
import { LabbookError } from '../../errors';
import { checkParameters, killAllKernels, type NotebookResult, runNotebooks } from '../../nbtest';
import { keyValues, parse, toInt } from '../args';
import { type Command, print, printJson } from '../command';

const usage = 'labbook nbtest [PATHS...] [--out DIR] [--timeout S] [--jobs N] [--param key=value ...] [--no-repro] [--baseline DB|committed] [--db PATH] [--check-outputs] [--update-outputs] [--json]';

export const nbtest: Command = {
  name: 'nbtest',
  summary: 'execute notebooks on the tslab kernel as tests; their checkpointed runs must reproduce bit for bit',
  usage,
  help: [
    'reproducibility gate (each notebook\'s checkpointed runs must end on the same SHA-256):',
    '  by default   against a second execution of the notebook',
    '  --baseline DB         against the runs of that registry',
    '  --baseline committed  against the hashes the notebook file publishes (metadata.labbook, written by --out),',
    '                        so a committed notebook proves itself on this machine (a file named committed: ./committed)',
    'exit codes: 0 all passed, 1 a notebook failed, 2 a usage mistake',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        out: { type: 'string' },
        timeout: { type: 'string' },
        jobs: { type: 'string' },
        param: { type: 'string', multiple: true },
        baseline: { type: 'string' },
        'no-repro': { type: 'boolean', default: false },
        'check-outputs': { type: 'boolean', default: false },
        'update-outputs': { type: 'boolean', default: false },
      },
      usage,
      { name: 'notebook file or folder', plural: 'notebook files or folders', min: 1, max: Infinity },
    );
    const timeout = values.timeout === undefined ? undefined : seconds(values.timeout);
    // A Ctrl-C or kill stops the kernels too (they run in their own process groups).
    const stop = (signal: NodeJS.Signals) => {
      killAllKernels();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
    try {
      const report = await runNotebooks(positionals, {
        out: values.out,
        timeoutMs: timeout === undefined ? undefined : timeout * 1000,
        jobs: toInt('--jobs', values.jobs),
        parameters: checkParameters(keyValues('--param', values.param ?? [])),
        db: values.db,
        baseline: values.baseline,
        repro: !values['no-repro'],
        outputs: values['check-outputs'] || values['update-outputs'] ? { update: values['update-outputs'] } : undefined,
        onResult: values.json ? undefined : (result) => print(renderResult(result)),
      });
      if (values.json) printJson(report);
      // The plain closing line CI tools read: "notebooks: N passed, N failed".
      else print(`notebooks: ${report.passed} passed, ${report.failed} failed`);
      return report.failed === 0 ? 0 : 1;
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
    }
  },
};

function seconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--timeout\`: expected a positive number of seconds, received ${JSON.stringify(text)}.`);
  }
  return Number(text);
}

function renderResult(r: NotebookResult): string {
  const lines = [`${r.status === 'passed' ? '✓' : '✗'} ${r.path}  ${(r.durationMs / 1000).toFixed(1)}s${reproNote(r)}`];
  if (r.failedCell) {
    const where = r.failedCell.injected ? `injected parameters cell (after cell ${r.failedCell.index})` : `cell ${r.failedCell.index}`;
    lines.push(`  ${where}${r.failedCell.executionCount === null ? '' : ` [${r.failedCell.executionCount}]`}:`);
    lines.push(...excerpt(r.failedCell.source).map((l) => `    | ${l}`));
    lines.push(...r.failedCell.error.split('\n').map((l) => `    ${l}`));
  } else if (r.error) {
    lines.push(...r.error.split('\n').map((l) => `  ${l}`));
    if (r.repro.report) lines.push(...r.repro.report.split('\n').map((l) => `    ${l}`));
  }
  if (r.outputs?.updated) lines.push(`  outputs of ${r.outputs.updated} cell(s) tagged check-output rewritten in the notebook`);
  return lines.join('\n');
}

function reproNote(r: NotebookResult): string {
  const check = r.repro;
  if (check.status === 'passed' && check.against === 'committed') {
    return `  (matched ${check.pairs.length} of ${check.pairs.length} checkpoint hash(es) committed in the notebook)`;
  }
  if (check.status === 'passed') {
    const ungated = check.ungated ? `; ${check.ungated} run(s) without checkpoints not gated` : '';
    return `  (reproduced: ${check.pairs.length} checkpointed run(s) identical${check.against === 'baseline' ? ' to the baseline' : ''}${ungated})`;
  }
  if (check.status === 'skipped' && r.status === 'passed' && check.reason) return `  (reproducibility not checked: ${check.reason})`;
  return '';
}

/** The first lines of a cell, enough to recognise it. */
function excerpt(source: string, max = 8): string[] {
  const lines = source.split('\n');
  return lines.length <= max ? lines : [...lines.slice(0, max), `... (${lines.length - max} more lines)`];
}

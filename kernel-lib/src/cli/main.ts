#!/usr/bin/env node
/** The `labbook` command: dispatches to a command; a user's mistake is one line and exit 2. */
import { LabbookError } from '../errors';
import type { Command } from './command';
import { visible } from './escape';
import { del } from './commands/delete';
import { demo } from './commands/demo';
import { diff } from './commands/diff';
import { exportRuns } from './commands/export';
import { gc } from './commands/gc';
import { kernelspec, refreshKernelspecBeforeCommand } from './commands/kernelspec';
import { nbtest } from './commands/nbtest';
import { reproduce } from './commands/reproduce';
import { report } from './commands/report';
import { run } from './commands/run';
import { runs } from './commands/runs';
import { show } from './commands/show';
import { sql } from './commands/sql';

const COMMANDS: Command[] = [run, reproduce, runs, show, diff, report, exportRuns, sql, del, gc, nbtest, kernelspec, demo];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'labbook — reproducible experiment runs in SQLite',
    '',
    'usage: labbook COMMAND [options]   (every command takes --db PATH and --json)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'labbook COMMAND --help shows its usage. The registry is --db, else $LABBOOK_DB, else .labbook/labbook.db at the project root.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${(require('../../package.json') as { version: string }).version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new LabbookError('INVALID_ARGUMENT', `Unknown command \`${name}\`: expected one of ${COMMANDS.map((c) => c.name).join(', ')}. Run \`labbook --help\`.`);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\nusage: ${command.usage}\n${command.help ? `\n${command.help}\n` : ''}`);
    return 0;
  }
  // A checkout that was moved or copied still has a kernelspec running the old tree's tslab.
  if (command !== kernelspec) refreshKernelspecBeforeCommand();
  return command.run(rest);
}

/** Runs the command line and sets the exit code: a user's mistake is one line and exit 2. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof LabbookError) {
        process.stderr.write(`labbook: ${visible(error.message, '\n')}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`labbook: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

// `node kernel-lib/dist/cli/main.js` works too (tests and scripts); `npx labbook` goes through bin/labbook.js.
if (require.main === module) runCli(process.argv.slice(2));

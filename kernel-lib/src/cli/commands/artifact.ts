/** `labbook artifact ID NAME`: one artifact's bytes (verified against its hash), or a figure as an HTML page. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { figurePage } from '../../display/figure-page';
import { writeLibraryBeside } from '../../display/plotly';
import { LabbookError } from '../../errors';
import { readFigure, type StoredArtifact } from '../../registry/artifacts';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { localOnly } from '../team-store';

const usage = 'labbook artifact ID NAME [-o FILE] [--html [--inline]] [--db PATH] [--json]';

export const artifact: Command = {
  name: 'artifact',
  summary: "write a run's artifact (checked against its hash) to a file or stdout; a figure as HTML with --html",
  usage,
  help: [
    'Without -o the bytes go to stdout (text is shown escaped on a terminal; binary needs -o or a pipe).',
    '--html renders a figure artifact as a page. With -o, plotly.js is written once beside it',
    '(plotly-VERSION.js, shared by every page in that folder); --inline puts it in the page instead.',
  ].join('\n'),
  run(argv) {
    const { values, positionals } = parse(
      argv,
      { output: { type: 'string', short: 'o' }, html: { type: 'boolean', default: false }, inline: { type: 'boolean', default: false } },
      usage,
      { name: 'argument', min: 2, max: 2 },
    );
    const [id] = runIds(positionals.slice(0, 1), usage);
    const name = positionals[1];
    if (values.inline && !values.html) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments: expected --inline only with --html, received --inline alone. Usage: ${usage}`);
    }
    const file = values.output === undefined ? null : resolve(values.output);
    localOnly('artifact', values.db, 'Team run ids are not local ids and the artifact is read from a local registry: read it from the registry that recorded the run (--db .labbook/labbook.db, or LABBOOK_LOCAL_DB).');
    return withRegistry(values.db, (registry) => {
      const found = registry.getArtifact(id, name);
      let bytes: Uint8Array = found.bytes;
      if (values.html) {
        if (file) mkdirSync(dirname(file), { recursive: true });
        const library = file && !values.inline ? { src: writeLibraryBeside(file) } : 'inline';
        bytes = Buffer.from(figurePage(readFigure(found), { title: `${name} (run ${id})`, library }), 'utf8');
      }
      if (file) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, bytes);
        if (values.json) printJson({ run: id, name, mediaType: found.mediaType, sha256: found.sha256, bytes: found.bytes.length, file });
        else print(file);
      } else if (values.json) {
        printJson({ run: id, name, mediaType: found.mediaType, sha256: found.sha256, bytes: found.bytes.length, file: null });
      } else {
        writeOut(found, bytes, values.html);
      }
      return 0;
    });
  },
};

/** A pipe gets the exact bytes; a terminal gets text shown escaped (never acted on), and no binary. */
function writeOut(found: StoredArtifact, bytes: Uint8Array, html: boolean): void {
  if (!process.stdout.isTTY) {
    process.stdout.write(bytes);
    return;
  }
  if (!html && !/^text\/|[/+]json(;|$)/.test(found.mediaType)) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Artifact ${JSON.stringify(found.name)} is binary (${found.mediaType}, ${found.bytes.length} bytes): expected a file or a pipe to write it to, received a terminal. Pass -o FILE, or pipe the output.`,
    );
  }
  print(Buffer.from(bytes).toString('utf8'));
}

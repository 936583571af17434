/** `labbook models list | show NAME[@ALIAS|/VERSION] | register NAME RUN_ID | alias NAME ALIAS VERSION | delete NAME/VERSION | export REF DIR`: the model registry (tfjs only for export and --reference). */
import { LabbookError } from '../../errors';
import { aliasHistory, deleteAlias, setAlias } from '../../model-registry/aliases';
import { deleteModelVersion, getModel, listModels, registerModel, resolveModel } from '../../model-registry/versions';
import { parseModelRef } from '../../model-registry/names';
import type { AliasEvent, ModelVersion, ModelVersionDetail } from '../../model-registry/types';
import { parse, toInt } from '../args';
import { type Command, isoTime, print, printJson, withRegistry } from '../command';
import { table } from '../format';
import { localOnly } from '../team-store';
import { hasProfile } from '../../monitor/reference';
import type { Registry } from '../../registry/registry';

const usage =
  'labbook models list | models show NAME[@ALIAS|/VERSION] | models register NAME RUN_ID [--best] [--note TEXT] [--reference TRAIN.csv|.json] | models alias NAME ALIAS VERSION | models alias NAME ALIAS --delete | models delete NAME/VERSION | models export NAME[@ALIAS|/VERSION] DIR [--format tfjs|onnx] [--quantize float16|uint8|int8]  [--db PATH] [--json]';
// Each action's operands, in order.
const OPERANDS: { [action: string]: string[] } = { list: [], show: ['NAME'], register: ['NAME', 'RUN_ID'], alias: ['NAME', 'ALIAS', 'VERSION'], delete: ['NAME/VERSION'], export: ['NAME[@ALIAS|/VERSION]', 'DIR'] };

export const models: Command = {
  name: 'models',
  summary: 'the model registry: named model versions of runs, with aliases (list, show, register, alias, delete, export)',
  usage,
  help: 'NAME alone in `show` is the model (versions, aliases, alias history); NAME@ALIAS or NAME/VERSION is one version with its lineage. `alias ... --delete` takes no VERSION. `export` writes the version as tfjs layers (default; --quantize float16|uint8) or ONNX (--format onnx; --quantize int8) into DIR with a labbook.json of hashes and lineage.',
  run(argv) {
    const { values, positionals } = parse(argv, { best: { type: 'boolean', default: false }, note: { type: 'string' }, reference: { type: 'string' }, delete: { type: 'boolean', default: false }, format: { type: 'string' }, quantize: { type: 'string' } }, usage, { name: 'argument', min: 1, max: 4 });
    const [action, ...operands] = positionals;
    if (!Object.hasOwn(OPERANDS, action)) {
      throw new LabbookError('INVALID_ARGUMENT', `Unknown models action \`${action}\`: expected one of ${Object.keys(OPERANDS).join(', ')}. Usage: ${usage}`);
    }
    const wanted = OPERANDS[action].slice(0, action === 'alias' && values.delete ? 2 : undefined);
    if (operands.length !== wanted.length) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments for \`models ${action}\`: expected ${wanted.length ? wanted.join(' ') : 'none'}, received ${operands.length ? operands.map((o) => JSON.stringify(o)).join(' ') : 'none'}. Usage: ${usage}`);
    }
    if (action !== 'register' && values.reference !== undefined) {
      throw new LabbookError('INVALID_ARGUMENT', `--reference goes with \`models register\`: expected none with \`models ${action}\`. Usage: ${usage}`);
    }
    if (action !== 'register' && (values.best || values.note !== undefined)) {
      throw new LabbookError('INVALID_ARGUMENT', `--best and --note go with \`models register\`: expected neither with \`models ${action}\`. Usage: ${usage}`);
    }
    if (action !== 'alias' && values.delete) {
      throw new LabbookError('INVALID_ARGUMENT', `--delete goes with \`models alias NAME ALIAS\`: expected none with \`models ${action}\` (a version is deleted with \`models delete NAME/VERSION\`). Usage: ${usage}`);
    }
    if (action !== 'export' && (values.format !== undefined || values.quantize !== undefined)) {
      throw new LabbookError('INVALID_ARGUMENT', `--format and --quantize go with \`models export\`: expected neither with \`models ${action}\`. Usage: ${usage}`);
    }
    localOnly('models', values.db, 'The model registry lives in the local registry beside the runs it points at: --db .labbook/labbook.db (or LABBOOK_LOCAL_DB).');
    return withRegistry(values.db, async (registry) => {
      const json = values.json;
      const [a, b, c] = operands;
      if (action === 'export') {
        const { exportVersion } = require('./models-export') as typeof import('./models-export');
        await exportVersion(registry, a, b, { format: values.format, quantize: values.quantize, json });
      } else if (action === 'list') {
        const found = listModels(registry);
        if (json) printJson(found.map((m) => ({ ...m, createdAt: isoTime(m.createdAt) })));
        else print(found.length ? table(['name', 'versions', 'latest', 'aliases', 'created'], found.map((m) => [m.name, m.versions, m.latestVersion, aliasText(m.aliases), isoTime(m.createdAt)])) : 'no models registered (labbook models register NAME RUN_ID)');
      } else if (action === 'show') {
        const ref = parseModelRef(a);
        if (ref.alias === undefined && ref.version === undefined) {
          const model = getModel(registry, a);
          const history = aliasHistory(registry, a);
          if (json) printJson({ ...model, createdAt: isoTime(model.createdAt), versions: model.versions.map(versionJson), history: history.map(eventJson) });
          else print(modelText(model.name, model.description, model.versions, history));
        } else {
          const version = resolveModel(registry, a);
          const profile = hasProfile(registry, version);
          if (json) printJson({ ...versionJson(version), referenceProfileSha256: profile });
          else print(`${versionText(version)}\nreference profile: ${profile ?? `none (labbook monitor cannot measure drift; labbook models register ${version.name} ${version.runId} --reference train.csv)`}`);
        }
      } else if (action === 'register') {
        const version = registerModel(registry, a, toInt('run id', b)!, { checkpoint: values.best ? 'best' : 'final', note: values.note });
        let profile: string | null = null;
        try {
          if (values.reference !== undefined) profile = await withReference(registry, `${version.name}/${version.version}`, values.reference);
        } catch (error) {
          // All or nothing: a version asked to have a profile is not left registered without one.
          deleteModelVersion(registry, version.name, version.version);
          throw error;
        }
        if (json) printJson({ ...versionJson(version), ...(profile ? { referenceProfileSha256: profile } : {}) });
        else print(`registered run ${version.runId} as ${version.name}/${version.version} (${version.checkpoint} checkpoint ${version.weightsSha256.slice(0, 12)})${profile ? `, reference profile ${profile.slice(0, 12)}` : ''}`);
      } else if (action === 'alias' && values.delete) {
        const was = deleteAlias(registry, a, b);
        if (json) printJson({ name: a, alias: b, version: null, previous: was });
        else print(`${a}@${b} deleted (it was version ${was})`);
      } else if (action === 'alias') {
        const moved = setAlias(registry, a, b, toInt('version', c)!);
        if (json) printJson(moved);
        else print(`${a}@${b} -> version ${moved.version}${moved.previous === null ? ' (new alias)' : moved.previous === moved.version ? ' (unchanged)' : ` (was ${moved.previous})`}`);
      } else {
        const ref = parseModelRef(a);
        if (ref.version === undefined) throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments for \`models delete\`: expected NAME/VERSION, received ${JSON.stringify(a)}. Name the version to delete, e.g. ${ref.name}/1.`);
        deleteModelVersion(registry, ref.name, ref.version);
        if (json) printJson({ deleted: { name: ref.name, version: ref.version } });
        else print(`deleted ${ref.name}/${ref.version} (its run and package stay)`);
      }
      return 0;
    });
  },
};

function versionJson(v: ModelVersion | ModelVersionDetail): object {
  return { ...v, createdAt: isoTime(v.createdAt) };
}

function eventJson(e: AliasEvent): object {
  return { ...e, at: isoTime(e.at) };
}

function aliasText(aliases: { [alias: string]: number }): string {
  return Object.entries(aliases).map(([alias, v]) => `${alias}=${v}`).join(', ');
}

function modelText(name: string, description: string | null, versions: ModelVersion[], history: AliasEvent[]): string {
  const lines = [`model ${name}${description ? ` — ${description}` : ''}`];
  lines.push(versions.length ? table(['version', 'run', 'checkpoint', 'aliases', 'registered', 'note'], versions.map((v) => [v.version, v.runId, v.checkpoint, v.aliases.join(', '), isoTime(v.createdAt), v.note])) : '(no versions)');
  if (history.length) {
    lines.push('', 'alias history');
    lines.push(table(['at', 'alias', 'from', 'to', 'who'], history.map((e) => [isoTime(e.at), e.alias, e.fromVersion ?? '-', e.toVersion ?? '(deleted)', e.who])));
  }
  return lines.join('\n');
}

function versionText(v: ModelVersionDetail): string {
  const l = v.lineage;
  const rows: [string, string][] = [
    ['version', `${v.name}/${v.version}${v.aliases.length ? ` (${v.aliases.map((a) => `@${a}`).join(', ')})` : ''}`],
    ['run', `${l.runId} (${l.experiment}${l.runName ? `, ${l.runName}` : ''}, ${l.status}, seed ${l.seed})`],
    ['checkpoint', `${v.checkpoint} ${l.checkpointSha256}`],
    ['package', v.artifactSha256],
    ['code hash', l.codeHash ?? '-'],
    ['registered', `${isoTime(v.createdAt)}${v.note ? ` — ${v.note}` : ''}`],
    ['config', JSON.stringify(l.config)],
    ...l.datasets.map((d): [string, string] => [`data ${d.name}`, `${d.sha256.slice(0, 12)} ${d.rows}x${d.columns}${d.source ? ` ${d.source}` : ''}`]),
    ...Object.entries(l.environment).map(([k, value]): [string, string] => [`env ${k}`, typeof value === 'string' ? value : JSON.stringify(value)]),
    ...Object.entries(l.metrics).map(([k, value]): [string, string] => [`metric ${k}`, String(value)]),
  ];
  return table(['field', 'value'], rows);
}

/** The profile from training data, built by the model (tfjs, loaded only here). */
async function withReference(registry: Registry, ref: string, file: string): Promise<string> {
  const { initBackend } = require('../../backend') as typeof import('../../backend');
  const { attachReference } = require('../../monitor/attach') as typeof import('../../monitor/attach');
  await initBackend({});
  return attachReference(ref, file, { registry });
}

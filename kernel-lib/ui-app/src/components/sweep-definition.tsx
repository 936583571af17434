/** A sweep's definition as recorded: the search space as a table, then objective, sampler, pruner, budget, seed and fixed values. */
import type { Json } from '../api';
import { flatten, formatValue } from '../format';
import type { AxisHint } from './parallel-axes';

type Obj = { [key: string]: Json };

/** The definition is the parent run's config, so any field may be missing or odd: read each defensively. */
export const asObject = (value: Json | undefined): Obj | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null);

/** Params in the order the sampler draws them (the definition's `order`), else as the space lists them. */
export function paramNames(definition: Json): string[] {
  const space = asObject(asObject(definition)?.space) ?? {};
  const order = asObject(definition)?.order;
  const listed = Array.isArray(order) ? order.filter((name): name is string => typeof name === 'string' && name in space) : [];
  return [...listed, ...Object.keys(space).filter((name) => !listed.includes(name))];
}

/** How the space samples `name`, for its parallel-coordinates axis: a choice's choices in order, a log scale. */
export function axisHint(definition: Json, name: string): AxisHint {
  const spec = asObject(asObject(asObject(definition)?.space)?.[name]);
  if (spec?.kind === 'choice' && Array.isArray(spec.choices)) return { choices: spec.choices };
  return { log: spec?.kind === 'logUniform' || (spec?.kind === 'int' && spec.log === true) };
}

function range(spec: Obj): string {
  if (spec.kind === 'choice') return '';
  const bounds = `${formatValue(spec.low)} … ${formatValue(spec.high)}`;
  if (spec.kind === 'logUniform') return `${bounds}, log scale`;
  if (spec.kind === 'int') return `${bounds}${spec.step !== undefined && spec.step !== 1 ? `, step ${formatValue(spec.step)}` : ''}${spec.log === true ? ', log scale' : ''}`;
  return bounds;
}

function condition(spec: Obj): string {
  const when = asObject(spec.when);
  return when ? `${formatValue(when.param)} ∈ ${formatValue(when.values)}` : '';
}

/** `name` with its options as key=value, e.g. "median (nStartupTrials=3, nWarmupSteps=5)". */
function named(value: Json | undefined): string {
  const o = asObject(value);
  if (o === null) return value === undefined || value === null ? 'none' : formatValue(value);
  const options = Object.entries(flatten(asObject(o.options) ?? {})).map(([k, v]) => `${k}=${formatValue(v)}`);
  return `${formatValue(o.name ?? '?')}${options.length > 0 ? ` (${options.join(', ')})` : ''}`;
}

function budget(value: Json | undefined): string {
  const o = asObject(value);
  if (o === null) return formatValue(value ?? null);
  const trials = typeof o.trials === 'number' ? `${o.trials} trials` : 'no trial limit';
  const time = typeof o.timeS === 'number' ? `${o.timeS} s` : 'no time limit';
  return `${trials}, ${time}`;
}

export function SweepDefinition(props: { definition: Json }) {
  const definition = asObject(props.definition) ?? {};
  const space = asObject(definition.space) ?? {};
  const objective = asObject(definition.objective);
  const fixed = Object.entries(flatten(asObject(definition.set) ?? {}));
  return (
    <div class="sweep-definition">
      <dl class="facts">
        <dt>experiment</dt>
        <dd>{formatValue(definition.experiment ?? null)}</dd>
        <dt>objective</dt>
        <dd>
          {objective ? `${formatValue(objective.direction ?? '?')} ${formatValue(objective.metric ?? '?')}` : 'none'}
          {objective?.intermediate != null && <span class="muted"> (pruned on {formatValue(objective.intermediate)})</span>}
        </dd>
        <dt>sampler</dt>
        <dd>{named(definition.sampler)}</dd>
        <dt>pruner</dt>
        <dd>{named(definition.pruner)}</dd>
        <dt>budget</dt>
        <dd>{budget(definition.budget)}</dd>
        <dt>seed</dt>
        <dd>{formatValue(definition.seed ?? null)}</dd>
        <dt>fixed</dt>
        <dd>{fixed.length === 0 ? 'nothing' : fixed.map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}</dd>
      </dl>
      <table class="view-table" data-testid="sweep-space">
        <thead>
          <tr>
            <th>param</th>
            <th>kind</th>
            <th>range</th>
            <th>choices</th>
            <th>when</th>
          </tr>
        </thead>
        <tbody>
          {paramNames(definition).map((name) => {
            const spec = asObject(space[name]) ?? {};
            return (
              <tr key={name}>
                <th>{name}</th>
                <td>{formatValue(spec.kind ?? null)}</td>
                <td>{range(spec)}</td>
                <td>{Array.isArray(spec.choices) ? spec.choices.map((c) => formatValue(c)).join(', ') : ''}</td>
                <td>{condition(spec)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

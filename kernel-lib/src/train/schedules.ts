/** Learning-rate schedules: pure functions of the global step (and epoch), applied before each update. */
import { invalidArgument } from '../errors';

export interface ScheduleContext {
  /** Global step (0-based count of updates so far). */
  step: number;
  epoch: number;
  /** Updates per epoch; known before training starts. */
  stepsPerEpoch: number;
  totalSteps: number;
}

export type Schedule = (ctx: ScheduleContext) => number;

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw invalidArgument(name, 'a positive number', value);
  return value;
}

/** lr = initial * factor^floor(epoch / everyEpochs). */
export function stepDecay(options: { initial: number; factor: number; everyEpochs: number }): Schedule {
  positive('initial', options.initial);
  positive('factor', options.factor);
  positive('everyEpochs', options.everyEpochs);
  return ({ epoch }) => options.initial * options.factor ** Math.floor(epoch / options.everyEpochs);
}

/** Cosine from `initial` down to `minimum` over the whole run (SGDR without restarts). */
export function cosineDecay(options: { initial: number; minimum?: number }): Schedule {
  positive('initial', options.initial);
  const minimum = options.minimum ?? 0;
  return ({ step, totalSteps }) => {
    const progress = Math.min(1, step / Math.max(1, totalSteps - 1));
    return minimum + 0.5 * (options.initial - minimum) * (1 + Math.cos(Math.PI * progress));
  };
}

/** Linear warm-up from ~0 to the wrapped schedule's value over `steps` updates, then that schedule. */
export function warmup(steps: number, then: Schedule | number): Schedule {
  positive('steps', steps);
  const after: Schedule = typeof then === 'number' ? () => then : then;
  return (ctx) => (ctx.step < steps ? (after(ctx) * (ctx.step + 1)) / steps : after(ctx));
}

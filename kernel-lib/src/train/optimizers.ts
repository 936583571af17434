/** Optimizers by name (SGD with momentum/Nesterov, Adam, AdamW, RMSprop) and learning-rate control. */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, adamUpdateInPlace, runningBackendHas, type AdamUpdateAttrs, type NativeBackend } from '../backend/native';
import { invalidArgument } from '../errors';

export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop';

export interface OptimizerSpec {
  name: OptimizerName;
  learningRate?: number;
  /** sgd: classical momentum (0 = plain SGD); rmsprop: momentum term. */
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** adamw: decoupled weight decay (Loshchilov & Hutter), applied to kernels, not biases. */
  weightDecay?: number;
  /** rmsprop: decay of the squared-gradient average. */
  rho?: number;
}

const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.01, adam: 0.001, adamw: 0.001, rmsprop: 0.001 };

export function createOptimizer(spec: OptimizerSpec | OptimizerName): tf.Optimizer {
  const s: OptimizerSpec = typeof spec === 'string' ? { name: spec } : spec;
  if (!s || !(s.name in DEFAULT_LR)) {
    throw invalidArgument('optimizer.name', `one of ${Object.keys(DEFAULT_LR).join(', ')}`, s?.name);
  }
  const lr = s.learningRate ?? DEFAULT_LR[s.name];
  if (!(lr > 0) || !Number.isFinite(lr)) throw invalidArgument('optimizer.learningRate', 'a positive number', s.learningRate);
  // Pass epsilon explicitly: tfjs's default is the backend's epsilon, which differs between backends.
  const epsilon = s.epsilon ?? 1e-7;
  switch (s.name) {
    case 'sgd':
      return s.momentum ? tf.train.momentum(lr, s.momentum, s.nesterov ?? false) : tf.train.sgd(lr);
    case 'adam':
      return new Adam(lr, s.beta1 ?? 0.9, s.beta2 ?? 0.999, epsilon);
    case 'adamw':
      return new AdamW(lr, s.beta1 ?? 0.9, s.beta2 ?? 0.999, epsilon, s.weightDecay ?? 0.01);
    case 'rmsprop':
      return tf.train.rmsprop(lr, s.rho ?? 0.9, s.momentum ?? 0, epsilon);
  }
}

/** The learning rate an optimizer will use for its next update. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/**
 * Sets the learning rate for the next update. SGD and momentum cache it as a tensor
 * (setLearningRate), which goes stale when only the field is written, so it is always reset;
 * Adam and RMSprop read the field on every update.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) throw invalidArgument('learningRate', 'a non-negative finite number', lr);
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

type Moment = { originalName: string; variable: tf.Variable };

/** AdamOptimizer's state, which tfjs declares private. */
type AdamState = {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
};

/**
 * tfjs's Adam (same state, same serialization as 'Adam'), which on a backend that registers the
 * fused update kernel (labbook's native backend) updates each variable in one kernel instead of a
 * dozen element-wise ones. Elsewhere it is tfjs's Adam unchanged.
 */
export class Adam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!runningBackendHas(ADAM_UPDATE_KERNEL)) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => ({ name: v.name, gradient: v.tensor }))
      : Object.keys(variableGradients).map((name) => ({ name, gradient: variableGradients[name] }));
    const attrs: AdamUpdateAttrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    const backend = tf.backend() as NativeBackend;
    tf.tidy(() => {
      list.forEach(({ name, gradient }, i) => {
        const variable = tf.engine().registeredVariables[name];
        // The moments are created lazily, named and ordered as tfjs's Adam does (getWeights/setWeights agree).
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(variable).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(variable).variable(false)) };
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const inputs = { variable, m, v, gradient, accBeta1: state.accBeta1, accBeta2: state.accBeta2 };
        // Into the variable's own storage where nothing else sees it (same bits); else fresh.
        if (adamUpdateInPlace(backend, inputs, attrs)) return;
        const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2);
        v.assign(v2);
        variable.assign(w2);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    state.incrementIterations();
  }
}

/**
 * Adam with decoupled weight decay: w <- w - lr * wd * w before the Adam step. Only weights of
 * rank >= 2 (kernels, embeddings) decay; biases and normalization scales do not, as is usual.
 */
export class AdamW extends Adam {
  static override get className(): string {
    return 'AdamW';
  }

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number, readonly weightDecay: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<Adam['applyGradients']>[0]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    if (this.weightDecay > 0) {
      const factor = 1 - this.learningRate * this.weightDecay;
      tf.tidy(() => {
        for (const name of names) {
          const variable = tf.engine().registeredVariables[name];
          if (variable && variable.rank >= 2) variable.assign(tf.mul(variable, factor));
        }
      });
    }
    super.applyGradients(variableGradients);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}

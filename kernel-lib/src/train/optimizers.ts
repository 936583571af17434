/** Optimizers by name (SGD with momentum/Nesterov, Adam, AdamW, RMSprop) and learning-rate control. */
import * as tf from '@tensorflow/tfjs';
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
      return tf.train.adam(lr, s.beta1 ?? 0.9, s.beta2 ?? 0.999, epsilon);
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
 * (setLearningRate); Adam and RMSprop read the field on every update.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * Adam with decoupled weight decay: w <- w - lr * wd * w before the Adam step. Only weights of
 * rank >= 2 (kernels, embeddings) decay; biases and normalization scales do not, as is usual.
 */
export class AdamW extends tf.AdamOptimizer {
  static override get className(): string {
    return 'AdamW';
  }

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number, readonly weightDecay: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
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

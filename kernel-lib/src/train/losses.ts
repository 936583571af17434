/** Training losses as tfjs ops, (yTrue, yPred) => scalar mean over the batch; classification ones take logits. */
import * as tf from '@tensorflow/tfjs';
import { runningBackendHas, SPARSE_CE_GRAD_KERNEL, SPARSE_CE_KERNEL } from '../backend/native';
import { invalidArgument, LabbookError } from '../errors';

type Loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

function shapeText(t: tf.Tensor): string {
  return `shape [${t.shape.join(', ')}]`;
}

function shapeError(name: string, expected: string, t: tf.Tensor, fix: string): LabbookError {
  return new LabbookError(
    'INVALID_ARGUMENT',
    `Invalid value for \`${name}\`: expected ${expected}, received a tensor of ${shapeText(t)}. ${fix}`,
  );
}

function checkTensor(t: unknown, name: string): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor)) throw invalidArgument(name, 'a tf.Tensor', t);
}

/**
 * yTrue as float32 in yPred's shape. Shapes must match, except [n] against [n, 1] (a Dense(1)
 * output against a label vector), which is reshaped: left alone, tfjs would broadcast the pair to
 * [n, n] and return a wrong loss without any error.
 */
export function alignTargets(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  checkTensor(yTrue, 'yTrue');
  checkTensor(yPred, 'yPred');
  if (!tf.util.arraysEqual(yTrue.shape, yPred.shape)) {
    if (yTrue.size !== yPred.size || Math.abs(yTrue.rank - yPred.rank) !== 1) {
      throw shapeError('yTrue', `the shape of yPred [${yPred.shape.join(', ')}]`, yTrue, 'Give one target per prediction.');
    }
    const longer = yTrue.rank > yPred.rank ? yTrue.shape : yPred.shape;
    if (longer[longer.length - 1] !== 1) {
      throw shapeError('yTrue', `the shape of yPred [${yPred.shape.join(', ')}]`, yTrue, 'Give one target per prediction.');
    }
    return tf.reshape(tf.cast(yTrue, 'float32'), yPred.shape);
  }
  return yTrue.dtype === 'float32' ? yTrue : tf.cast(yTrue, 'float32');
}

export function checkLogits(logits: tf.Tensor): void {
  checkTensor(logits, 'yPred');
  if (logits.rank !== 2 || logits.shape[1]! < 1) {
    const fix = 'Pass the model output before softmax, one row per sample.';
    throw shapeError('yPred', 'logits of shape [n, numClasses]', logits, fix);
  }
}

/**
 * Cross-entropy of integer class labels ([n] or [n, 1], 0..k-1) against logits [n, k], from a
 * stable log-softmax (x - max - log sum exp(x - max)), so logits of +-1e4 stay finite. Labels are
 * not read back from the device (that would stall every step): one outside 0..k-1 one-hot encodes
 * to a zero row and adds 0 to the sum.
 */
export function sparseCategoricalCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  checkTensor(yTrue, 'yTrue');
  checkLogits(yPred);
  const [n, k] = yPred.shape as [number, number];
  const labelsOk = (yTrue.rank === 1 || (yTrue.rank === 2 && yTrue.shape[1] === 1)) && yTrue.shape[0] === n;
  if (!labelsOk) {
    const fix = 'Pass class indices, not one-hot rows (use categoricalCrossEntropy for those).';
    throw shapeError('yTrue', `integer class labels of shape [${n}] (one per row of the logits)`, yTrue, fix);
  }
  return tf.tidy(() => {
    const labels = tf.reshape(yTrue.dtype === 'int32' ? yTrue : tf.cast(yTrue, 'int32'), [n]);
    if (yPred.dtype === 'float32' && runningBackendHas(SPARSE_CE_KERNEL)) return fusedSparseCrossEntropy(yPred, labels);
    const picked = tf.sum(tf.mul(tf.oneHot(labels, k), tf.logSoftmax(yPred)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * The same loss as one kernel forward and one backward, on backends that register them (the
 * native backend): the composition above is ~10 kernels each way, most of a small model's step.
 */
function fusedSparseCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const loss = tf.customGrad((...args: unknown[]) => {
    const [x, y] = args as tf.Tensor[];
    const save = args[2] as tf.GradSaveFunc;
    const [value, probs] = tf.engine().runKernel(SPARSE_CE_KERNEL, { logits: x, labels: y }, {}) as tf.Tensor[];
    save([probs, y]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [p, l] = saved;
        // Labels get a (zero) gradient only because customGrad wants one per input.
        return [tf.engine().runKernel(SPARSE_CE_GRAD_KERNEL, { dy: dy as tf.Tensor, probs: p, labels: l }, {}) as tf.Tensor, tf.zerosLike(l)];
      },
    };
  });
  return loss(logits, labels) as tf.Scalar;
}

/** Cross-entropy of one-hot (or soft) targets [n, k] against logits [n, k], via a stable log-softmax. */
export function categoricalCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  checkLogits(yPred);
  checkTensor(yTrue, 'yTrue');
  if (!tf.util.arraysEqual(yTrue.shape, yPred.shape)) {
    const fix = 'For integer class labels use sparseCategoricalCrossEntropy.';
    throw shapeError('yTrue', `one-hot targets of shape [${yPred.shape.join(', ')}] like the logits`, yTrue, fix);
  }
  return tf.tidy(() => {
    const targets = yTrue.dtype === 'float32' ? yTrue : tf.cast(yTrue, 'float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(yPred)), 1))) as tf.Scalar;
  });
}

/**
 * Binary cross-entropy of targets z in [0, 1] against logits x, per element
 * max(x, 0) - x z + log(1 + exp(-|x|)) (TensorFlow's sigmoid_cross_entropy_with_logits), which
 * never exponentiates a positive number; the mean over every element (over the batch, and over
 * the outputs of a multi-label model).
 */
export function binaryCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const z = alignTargets(yTrue, yPred);
    const x = yPred.dtype === 'float32' ? yPred : tf.cast(yPred, 'float32');
    const perElement = tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    return tf.mean(perElement) as tf.Scalar;
  });
}

/** Mean squared error over every element. */
export function mse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(yPred, alignTargets(yTrue, yPred)))) as tf.Scalar);
}

/** Mean absolute error over every element. */
export function mae(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(yPred, alignTargets(yTrue, yPred)))) as tf.Scalar);
}

/**
 * Huber loss over every element: e^2 / 2 where |e| <= delta, else delta (|e| - delta / 2), so
 * quadratic near 0 and linear (robust to outliers) beyond delta. Written as
 * q^2 / 2 + delta (|e| - q) with q = min(|e|, delta), the form tf.losses.huberLoss uses.
 */
export function huber(yTrue: tf.Tensor, yPred: tf.Tensor, delta = 1.0): tf.Scalar {
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) {
    throw invalidArgument('delta', 'a positive finite number', delta);
  }
  return tf.tidy(() => {
    const err = tf.abs(tf.sub(yPred, alignTargets(yTrue, yPred)));
    const quadratic = tf.minimum(err, delta);
    const linear = tf.sub(err, quadratic);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear))) as tf.Scalar;
  });
}

export type LossName =
  | 'sparse-categorical-crossentropy'
  | 'categorical-crossentropy'
  | 'binary-crossentropy'
  | 'mse'
  | 'mae'
  | 'huber';

const LOSSES: Record<LossName, Loss> = {
  'sparse-categorical-crossentropy': sparseCategoricalCrossEntropy,
  'categorical-crossentropy': categoricalCrossEntropy,
  'binary-crossentropy': binaryCrossEntropy,
  mse,
  mae,
  huber: (yTrue, yPred) => huber(yTrue, yPred),
};

/** Every name lossByName knows, in a stable order (for configs, CLIs and error messages). */
export const LOSS_NAMES = Object.keys(LOSSES) as readonly LossName[];

/** The loss for a config's name; classification losses expect logits (no softmax/sigmoid layer). */
export function lossByName(name: LossName): Loss {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(LOSSES, name)) {
    const expected = `one of ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')}`;
    throw invalidArgument('loss', expected, name, 'Pick a name from that list or pass a loss function.');
  }
  return LOSSES[name];
}

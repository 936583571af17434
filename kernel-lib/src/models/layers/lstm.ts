/**
 * tfjs's LSTM layer (same weights, config and class name 'LSTM'), which on a backend that
 * registers labbook's whole-sequence LSTM kernels (the native backend) runs forward and backward
 * in one kernel each instead of ~100 per time step. Anything the kernels do not cover -- masks,
 * initial or returned states, stateful or reversed layers, dropout, other activations, other
 * backends -- runs tfjs's own unrolled LSTM, so results elsewhere are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { LSTM as TfLSTM, LSTMCell, LSTMLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/recurrent';
import { LSTM_GRAD_KERNEL, LSTM_KERNEL, runningBackendHas } from '../../backend/native';

type Kwargs = { [key: string]: unknown };

// tfjs exports only the factory; the class is what it builds.
const TfLstmClass = Object.getPrototypeOf(tf.layers.lstm({ units: 1 })).constructor as new (args: LSTMLayerArgs) => TfLSTM;

export class LSTM extends TfLstmClass {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    if (x === null || !this.fusable(x, kwargs)) return super.call(inputs, kwargs);
    const cell = this.cell as LSTMCell;
    return wholeSequenceLstm(x, cell.kernel.read(), cell.recurrentKernel.read(), cell.bias.read(), this.returnSequences);
  }

  private fusable(x: tf.Tensor, kwargs: Kwargs): boolean {
    const cell = this.cell as LSTMCell;
    return (
      runningBackendHas(LSTM_KERNEL) &&
      x.rank === 3 &&
      x.dtype === 'float32' &&
      kwargs.mask == null &&
      kwargs.initialState == null &&
      !this.stateful &&
      !this.goBackwards &&
      !this.returnState &&
      !this.unroll &&
      cell.useBias &&
      cell.dropout === 0 &&
      cell.recurrentDropout === 0 &&
      cell.activation.getClassName() === 'tanh' &&
      cell.recurrentActivation.getClassName() === 'sigmoid'
    );
  }
}

/** The LSTM over a whole sequence with its BPTT gradient, both as single kernels. */
function wholeSequenceLstm(x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor, returnSequences: boolean): tf.Tensor {
  const attrs = { returnSequences } as unknown as tf.NamedAttrMap;
  const lstm = tf.customGrad((...args: unknown[]) => {
    const [input, k, r, b] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const [y, gates, cells, hs] = tf.engine().runKernel(LSTM_KERNEL, { x: input, kernel: k, recurrentKernel: r, bias: b }, attrs) as tf.Tensor[];
    save([input, k, r, gates, cells, hs]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ks, rs, g, c, h] = saved;
        const inputs = { dy: dy as tf.Tensor, x: xs, kernel: ks, recurrentKernel: rs, gates: g, cells: c, hs: h };
        return tf.engine().runKernel(LSTM_GRAD_KERNEL, inputs, attrs) as tf.Tensor[];
      },
    };
  });
  return lstm(x, kernel, recurrentKernel, bias);
}

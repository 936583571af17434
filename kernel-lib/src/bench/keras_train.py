"""Keras 3 on TensorFlow reference for `npm run bench -- train`: training samples/s of labbook's four zoo models.

Usage: python keras_train.py SECONDS [--threads=N] [--jit=off,on] [MODEL[@off|@on]...]. The models
are built to match labbook's zoo (kernel-lib/src/models: Glorot dense/conv, post-norm encoder with
scaled sinusoidal positions, key padding mask and masked mean pooling, dropout 0). The loop is the
one Keras's own fit() compiles: a tf.function train step (GradientTape, Adam 1e-3, sparse
cross-entropy on logits) on one fixed batch, nothing read back per step; jit_compile (XLA) off
and/or on, per `--jit` or per model (`cnn@on`). Prints {"versions": {...}, "threads": N,
"figures": {model: {"off": samples/s, "on": samples/s or "error: ..."}}}. Exits 3 with
{"missing": ...} where TensorFlow or Keras does not import, so the bench says "not installed".
"""
import json
import math
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
os.environ['KERAS_BACKEND'] = 'tensorflow'
flags = [a for a in sys.argv[1:] if a.startswith('--')]
args = [a for a in sys.argv[1:] if not a.startswith('--')]
THREADS = next((int(f.split('=')[1]) for f in flags if f.startswith('--threads=')), 1)
JIT = next((f.split('=')[1].split(',') for f in flags if f.startswith('--jit=')), ['off', 'on'])

try:
    import numpy as np
    import tensorflow as tf
    # Thread pools are fixed when TensorFlow first runs an op: set them before anything else runs.
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    from keras import layers, ops
except ImportError as err:
    print(json.dumps({'missing': err.name or 'tensorflow'}))
    sys.exit(3)


def mlp():
    x = inp = keras.Input((784,))
    x = layers.Dense(128, activation='relu')(x)
    return keras.Model(inp, layers.Dense(10)(x))


def cnn():
    x = inp = keras.Input((28, 28, 1))
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, activation='relu')(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Dense(128, activation='relu')(layers.Flatten()(x))
    return keras.Model(inp, layers.Dense(10)(x))


def lstm():
    x = inp = keras.Input((100, 10))
    # unit_forget_bias and sigmoid gates are Keras's defaults, as labbook's LSTM.
    x = layers.LSTM(64, return_sequences=True)(x)
    x = layers.LSTM(64)(x)
    return keras.Model(inp, layers.Dense(10)(x))


def positions(length, d):
    pos = np.arange(length)[:, None]
    i = np.arange(d)[None, :]
    angle = pos / np.power(10000.0, (2 * (i // 2)) / d)
    return np.where(i % 2 == 0, np.sin(angle), np.cos(angle)).astype('float32')


def transformer(vocab=1000, length=64, d=64, heads=4, ff=256, blocks=2):
    ids = keras.Input((length,), dtype='int32')
    mask = ops.cast(ops.not_equal(ids, 0), 'float32')
    x = layers.Embedding(vocab, d)(ids) * math.sqrt(d) + positions(length, d)
    attention_mask = ops.cast(mask[:, None, :], 'bool')
    for _ in range(blocks):
        a = layers.MultiHeadAttention(heads, d // heads)(x, x, attention_mask=attention_mask)
        x = layers.LayerNormalization(epsilon=1e-5)(x + a)
        f = layers.Dense(d)(layers.Dense(ff, activation='relu')(x))
        x = layers.LayerNormalization(epsilon=1e-5)(x + f)
    pooled = ops.sum(x * mask[:, :, None], axis=1) / ops.maximum(ops.sum(mask, axis=1, keepdims=True), 1.0)
    return keras.Model(ids, layers.Dense(2)(pooled))


rng = np.random.default_rng(0)
CASES = {
    'mlp': (mlp, lambda b: rng.random((b, 784), dtype='float32'), 128, 10),
    'cnn': (cnn, lambda b: rng.random((b, 28, 28, 1), dtype='float32'), 64, 10),
    'lstm': (lstm, lambda b: rng.random((b, 100, 10), dtype='float32'), 64, 10),
    'transformer': (transformer, lambda b: rng.integers(1, 1000, (b, 64), dtype='int32'), 32, 2),
}


def measure(name, seconds, jit):
    build, inputs, batch, classes = CASES[name]
    keras.utils.set_random_seed(0)
    model = build()
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    x = tf.constant(inputs(batch))
    y = tf.constant(rng.integers(0, classes, (batch,), dtype='int32'))

    @tf.function(jit_compile=jit)
    def step():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    # Warm up for a second after tracing/compiling, as torch_train.py does; the loss is read back
    # once at the end so no step is still running when the clock stops.
    step().numpy()
    warm, start = 0, time.perf_counter()
    while warm < 3 or time.perf_counter() - start < 1.0:
        step()
        warm += 1
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        loss = step()
        steps += 1
    loss.numpy()
    return steps * batch / (time.perf_counter() - start)


if __name__ == '__main__':
    seconds = float(args[0]) if args else 3.0
    figures = {}
    for spec in args[1:] or list(CASES):
        name, _, only = spec.partition('@')
        figures[name] = {}
        for mode in [only] if only else JIT:
            try:
                figures[name][mode] = round(measure(name, seconds, mode == 'on'), 1)
            except Exception as err:  # XLA may refuse a graph: that mode is reported, the other still counts.
                figures[name][mode] = f'error: {type(err).__name__}: {str(err).splitlines()[0][:200]}'
    versions = {'tensorflow': tf.__version__, 'keras': keras.__version__}
    print(json.dumps({'versions': versions, 'threads': THREADS, 'figures': figures}))

"""PyTorch reference for `npm run bench -- train`: training samples/s of the same four models.

Usage: python torch_train.py SECONDS [--threads=N] [--like-train] [MODEL...]. Shapes match
ARCHITECTURE.md and labbook's zoo defaults (dropout 0, as labbook's zoo defaults). Prints one JSON
object {"version": torch's, "threads": N, "figures": {model: samples/s}}. By default a plain loop
on one fixed batch (ARCHITECTURE.md's reference); with --like-train, the same per-step work as
labbook's train() (shuffled gather, loss/accuracy/gradient-norm read back). Runs on Debian's
python3-torch (1.13, /usr/bin/python3) and on PyTorch 2 in a venv alike. Exits 3 with
{"missing": "torch"} where torch does not import, so the bench says "not installed".
"""
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print(json.dumps({'missing': 'torch'}))
    sys.exit(3)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(5 * 5 * 64, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class Lstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(10, 64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(1000, 64)
        layer = nn.TransformerEncoderLayer(64, 4, 256, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(64, 2)

    def forward(self, x):
        return self.head(self.encoder(self.embed(x)).mean(dim=1))


CASES = {
    'mlp': (Mlp, lambda b: torch.rand(b, 784), 128, 10),
    'cnn': (Cnn, lambda b: torch.rand(b, 1, 28, 28), 64, 10),
    'lstm': (Lstm, lambda b: torch.rand(b, 100, 10), 64, 10),
    'transformer': (Transformer, lambda b: torch.randint(1, 1000, (b, 64)), 32, 2),
}


def measure(name, seconds, like_train):
    build, inputs, batch, classes = CASES[name]
    model = build()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    if like_train:
        # The per-step work of labbook's train(): a shuffled batch gathered from a dataset, the
        # loss and the hit count read back, the global gradient norm (it logs it).
        batches = 50
        xs, ys = inputs(batch * batches), torch.randint(0, classes, (batch * batches,))
        order = torch.randperm(batch * batches)
        count = [0]

        def step():
            at = (count[0] % batches) * batch
            count[0] += 1
            idx = order[at:at + batch]
            xb, yb = xs[idx], ys[idx]
            optimizer.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), float('inf'))
            optimizer.step()
            return loss.item(), (logits.argmax(1) == yb).sum().item(), norm.item()
    else:
        x, y = inputs(batch), torch.randint(0, classes, (batch,))

        def step():
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()

    # Warm up for a second: PyTorch's first second in a process runs up to 30% slower (allocator and
    # caches settling), and three steps were not enough to hide it.
    warm, start = 0, time.perf_counter()
    while warm < 3 or time.perf_counter() - start < 1.0:
        step()
        warm += 1
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    return steps * batch / (time.perf_counter() - start)


if __name__ == '__main__':
    flags = [a for a in sys.argv[1:] if a.startswith('--')]
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    like_train = '--like-train' in flags
    threads = next((int(f.split('=')[1]) for f in flags if f.startswith('--threads=')), 1)
    # Set before any work: inter-op threads can only be set once, and one intra-op thread count per run.
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    names = args[1:] or list(CASES)
    seconds = float(args[0]) if args else 3.0
    figures = {name: round(measure(name, seconds, like_train), 1) for name in names}
    print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'figures': figures}))

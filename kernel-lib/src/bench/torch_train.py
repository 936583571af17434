"""PyTorch reference for `npm run bench -- train`: training samples/s of the same four models on one thread.

Shapes match ARCHITECTURE.md and labbook's zoo defaults. Prints one JSON object {model: samples/s}.
Needs Debian's python3-torch (1.13); run with /usr/bin/python3.
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


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
        layer = nn.TransformerEncoderLayer(64, 4, 256, dropout=0.1, batch_first=True)
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


def measure(name, seconds):
    build, inputs, batch, classes = CASES[name]
    model = build()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = inputs(batch), torch.randint(0, classes, (batch,))

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    for _ in range(3):
        step()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    return steps * batch / (time.perf_counter() - start)


if __name__ == '__main__':
    names = sys.argv[2:] or list(CASES)
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    print(json.dumps({name: round(measure(name, seconds), 1) for name in names}))

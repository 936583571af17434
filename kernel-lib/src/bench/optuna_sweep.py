"""Optuna's figures for `npm run bench -- sweep`: TPE and random search on the same shifted quadratic,
the same trial count and seeds 1..N. A reference only: labbook never runs Python. Prints one JSON line.
Usage: python optuna_sweep.py TRIALS SEEDS  (needs optuna: a venv with `pip install optuna`)."""
import json
import statistics
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
CENTER = [1.3, -2.1, 0.7, 3.2]
trials, seeds = int(sys.argv[1]), int(sys.argv[2])


def objective(trial):
    return sum((trial.suggest_float(f"x{i}", -5, 5) - c) ** 2 for i, c in enumerate(CENTER))


figures = {}
for name, make in [("tpe", lambda s: optuna.samplers.TPESampler(seed=s)), ("random", lambda s: optuna.samplers.RandomSampler(seed=s))]:
    best, half = [], []
    for seed in range(1, seeds + 1):
        study = optuna.create_study(sampler=make(seed))
        study.optimize(objective, n_trials=trials)
        values = [t.value for t in study.trials]
        best.append(min(values))
        half.append(min(values[: trials // 2]))
    figures[name] = round(statistics.mean(best), 3)
    figures[name + "Half"] = round(statistics.mean(half), 3)
figures["version"] = optuna.__version__
print(json.dumps(figures))

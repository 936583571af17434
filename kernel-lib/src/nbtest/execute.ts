/** Executes one notebook on a fresh tslab kernel, cell by cell, into an executed copy and cell results. */
import type { NotebookExecution } from './cells';
import { NotebookSession, type SessionOptions } from './session';

export type { CellFailure, CellResult, CellStatus, NotebookExecution } from './cells';
export type ExecuteNotebookOptions = SessionOptions;

/** Runs every code cell in order and stops at the first failure, as `jupyter nbconvert --execute` does. */
export async function executeNotebook(path: string, options: ExecuteNotebookOptions = {}): Promise<NotebookExecution> {
  const session = await NotebookSession.open(path, options);
  try {
    if (session.openError === null) for (const step of session.codeSteps) await session.run(step);
  } finally {
    await session.close();
  }
  return session.execution();
}

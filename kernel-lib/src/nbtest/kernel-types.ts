/** What a Kernel is started and asked with, and what an execution answers (kernel.ts is the driver). */
import type { Content, Message } from './protocol';

export interface KernelOptions {
  cwd: string;
  /** Added to the runner's environment. */
  env?: { [key: string]: string };
  /** How long to wait for kernel_info_reply (default 60 s). */
  startupTimeoutMs?: number;
  /** Temp folders of the caller's that the kernel removes if the caller dies before it. */
  removeIfOrphaned?: readonly string[];
}

export interface ExecuteOptions {
  /** Interrupt, then kill, after this long (default: no limit). */
  timeoutMs?: number;
  /** How long an interrupted cell gets to stop before the kernel is killed (default 3 s). */
  interruptGraceMs?: number;
  /** Each iopub message the cell produces, except status and execute_input. */
  onMessage?: (message: Message) => void;
}

export type ExecuteStatus = 'ok' | 'error' | 'abort' | 'timeout' | 'died';

export interface ExecuteResult {
  status: ExecuteStatus;
  executionCount: number | null;
  /** The execute_reply's content (null when none came). */
  reply: Content | null;
  /** For `died` and `timeout`: what happened to the kernel. */
  detail: string | null;
}

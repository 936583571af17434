/** Test support: a registry with a served tensor model and table model, and `labbook serve` as a real child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { expect } from 'vitest';
import { logModel } from '../../kernel-lib/src/model-package';
import { models, openRegistry } from '../../kernel-lib/src';
import { CLI, collect, ROOT, tempDb, waitForLine, type Finished } from '../helpers';
import { tinyModel, tinyRun } from '../model-registry/fixture';

/** A registry with 'tiny' (tensor input [3], alias champion at version 1) and 'rows' (table input a, b, c). */
export async function servingRegistry(): Promise<string> {
  const db = tempDb();
  const registry = openRegistry({ db });
  try {
    models.registerModel(registry, 'tiny', await tinyRun(registry, 1));
    models.setAlias(registry, 'tiny', 'champion', 1);
    const run = registry.startRun({ experiment: 'rows', config: {}, seed: 5 });
    const model = tinyModel(5);
    await logModel(run, model, { input: { kind: 'table', features: ['a', 'b', 'c'] }, task: 'classification', labels: ['no', 'yes'] });
    model.dispose();
    run.end();
    models.registerModel(registry, 'rows', run.id);
  } finally {
    registry.close();
  }
  return db;
}

export interface Serving {
  child: ChildProcess;
  url: string;
  line: string;
  done: Promise<Finished>;
}

const children = new Set<ChildProcess>();

/** Starts `labbook serve ARGS --port 0` and waits for its startup line (which names the port). */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Serving> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT, env: { ...process.env, LABBOOK_SERVE_TOKEN: undefined, ...env } });
  children.add(child);
  const done = collect(child);
  done.finally(() => children.delete(child));
  const line = await waitForLine(child, 'serving ');
  const port = /\(port (\d+)\)/.exec(line)?.[1];
  expect(port, line).toBeDefined();
  return { child, url: `http://127.0.0.1:${port}`, line, done };
}

/** For afterAll: no server outlives its test file. */
export function killServers(): void {
  for (const child of children) child.kill('SIGKILL');
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, json: await res.json() };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** Numbers rounded, so a server on another tfjs backend compares equal to in-process predictions. */
export function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Math.round(value * 1e5) / 1e5;
  if (Array.isArray(value)) return value.map(rounded);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

/**
 * A POST through node:http, which reads a response the server sends before the body is all
 * written (a 413 answers from Content-Length and closes; fetch reports that as a failure).
 */
export function postEarly(url: string, body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.end(body);
  });
}

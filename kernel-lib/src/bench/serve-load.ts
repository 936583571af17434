/**
 * The serving benchmark's load generator, run as a child process (the second process the issue
 * asks for): `node serve-load.js '<json LoadSpec>'` prints one JSON LoadResult.
 *
 * Written here rather than taken from wrk or autocannon: wrk is not installed on this machine and
 * autocannon would be a new dependency, and both are closed-loop (a connection waits for its answer
 * before sending again), which hides a slow server's queueing (coordinated omission). 'open' sends
 * at fixed times whatever the answers, and measures each latency from the time the request was
 * due (wrk2's correction), so a stall counts against every request it delayed. 'closed' keeps
 * `concurrency` requests outstanding: the server's capacity.
 */
import { Agent, request } from 'node:http';

export interface LoadSpec {
  url: string;
  body: string;
  mode: 'open' | 'closed';
  /** open: requests per second. */
  rate?: number;
  /** closed: requests outstanding at all times. */
  concurrency?: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  mode: 'open' | 'closed';
  offeredRps: number | null;
  achievedRps: number;
  requests: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/** With IPC (fork), the parent is told when the warm-up ends so it can read /metrics then. */
function warmedUp(): void {
  process.send?.({ warm: true });
}

async function main(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const url = new URL(spec.url);
  const latencies: number[] = [];
  let errors = 0;
  let inFlight = 0;
  let lastDone = 0;
  const measureFrom = performance.now() + spec.warmupSeconds * 1000;
  const end = measureFrom + spec.seconds * 1000;
  let warm = false;
  const send = (due: number, onDone?: () => void) => {
    inFlight++;
    const counted = due >= measureFrom && due < end;
    const finish = (ok: boolean) => {
      inFlight--;
      const now = performance.now();
      if (counted) {
        lastDone = now;
        if (ok) latencies.push(now - due);
        else errors++;
      }
      onDone?.();
    };
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body) } },
      (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode === 200));
        res.on('error', () => finish(false));
      },
    );
    req.on('error', () => finish(false));
    req.end(spec.body);
  };
  const checkWarm = (now: number) => {
    if (!warm && now >= measureFrom) {
      warm = true;
      warmedUp();
    }
  };
  if (spec.mode === 'open') {
    const interval = 1000 / spec.rate!;
    const start = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        checkWarm(now);
        // Every request whose time has come goes now, even if the timer fired late.
        for (let due = start + sent * interval; due <= now && due < end; due = start + sent * interval) {
          send(due);
          sent++;
        }
        const next = start + sent * interval;
        if (next >= end) resolve();
        else setTimeout(tick, Math.max(0, next - performance.now()));
      };
      tick();
    });
  } else {
    await new Promise<void>((resolve) => {
      const loop = () => {
        const now = performance.now();
        checkWarm(now);
        if (now >= end) {
          if (inFlight === 0) resolve();
          return;
        }
        send(now, loop);
      };
      for (let i = 0; i < spec.concurrency!; i++) loop();
    });
  }
  // Answers still owed after 10 s count as errors.
  for (const give = performance.now() + 10_000; inFlight > 0 && performance.now() < give; ) await new Promise((r) => setTimeout(r, 5));
  errors += inFlight;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const pick = (q: number) => (sorted.length === 0 ? NaN : Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2)));
  const span = Math.max(spec.seconds * 1000, lastDone - measureFrom) / 1000;
  return {
    mode: spec.mode,
    offeredRps: spec.mode === 'open' ? spec.rate! : null,
    achievedRps: Number((latencies.length / span).toFixed(1)),
    requests: latencies.length + errors,
    errors,
    latencyMs: { p50: pick(0.5), p90: pick(0.9), p99: pick(0.99), max: pick(1) },
  };
}

if (require.main === module) {
  main(JSON.parse(process.argv[2]) as LoadSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.disconnect?.();
    },
    (error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}

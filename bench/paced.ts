/**
 * (f): requests at a fixed rate, one every 1000/rate ms, whether or not earlier ones have been
 * answered (an open loop, as wrk2 does it).
 *
 * Why not autocannon's `overallRate`: autocannon 9 paces each connection by letting it send its
 * per-second quota back to back and then pausing until its one-second timer fires
 * (`reqsMadeThisSecond` in lib/httpClient.js). At 1,000 req/s over 50 connections every connection
 * sends its 20 requests at once at the start of each second, so the server sees 50 concurrent
 * requests for as long as it takes to serve 1,000 of them, then nothing: the latency measured is
 * the closed-loop latency of a saturated server (p50 ≈ 50 / capacity), not the latency at 1,000 req/s.
 *
 * Latency is measured from the moment a request is issued (handed to the HTTP agent) to the end of
 * its response, so a request that waits for a free connection because the server is slow is
 * charged for the wait. How late this process issued requests against the schedule (its own timer
 * and GC delays, not the server's) is reported separately as `scheduleLagMs`.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LoadResult, percentiles } from './scenarios';
import { HOST } from './server';

export interface PacedSpec {
  baseUrl: string;
  path: string;
  headers?: Record<string, string>;
  /** Requests per second. */
  rate: number;
  durationSec: number;
  /** Most connections open at once; a request due while all are busy waits for one. */
  connections: number;
  timeoutSec?: number;
}

export async function runPaced(spec: PacedSpec): Promise<LoadResult> {
  const url = new URL(spec.path, spec.baseUrl);
  if (url.hostname !== HOST) throw new Error(`the benchmark only talks to ${HOST}`);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const intervalMs = 1000 / spec.rate;
  const total = Math.round(spec.rate * spec.durationSec);
  const ok: number[] = [];
  const all: number[] = [];
  const statusCodes: Record<string, number> = {};
  const lag: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let timeouts = 0;
  let finished = 0;
  let started = 0;
  let lastEnd = 0;

  await new Promise<void>((resolve) => {
    const done = () => {
      if (++finished === total) resolve();
    };
    const send = (dueAt: number) => {
      const issuedAt = performance.now();
      lag.push(issuedAt - dueAt);
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, headers: spec.headers, agent, timeout: (spec.timeoutSec ?? 10) * 1000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            lastEnd = performance.now();
            const ms = lastEnd - issuedAt;
            const code = res.statusCode ?? 0;
            statusCodes[code] = (statusCodes[code] ?? 0) + 1;
            all.push(ms);
            if (code >= 200 && code < 300) ok.push(ms);
            done();
          });
        },
      );
      req.on('timeout', () => {
        timeouts++;
        req.destroy(new Error('timed out'));
      });
      req.on('error', (err) => {
        errors++;
        if (errorSamples.size < 5) errorSamples.add(err.message);
        done();
      });
      req.end();
    };

    started = performance.now();
    let sent = 0;
    // A timer tick sends every request that has fallen due; late ticks catch up, and each request
    // keeps its own due time for the latency.
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        send(started + sent * intervalMs);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
    };
    tick();
  });
  agent.destroy();

  const non2xx = all.length - ok.length;
  // From the first request due to the last answer: a server that falls behind stretches it.
  const elapsedSec = Math.max(spec.durationSec, (lastEnd - started) / 1000);
  return {
    path: url.pathname,
    connections: spec.connections,
    pipelining: 1,
    overallRate: spec.rate,
    durationSec: elapsedSec,
    rps: all.length / elapsedSec,
    okRps: ok.length / elapsedSec,
    totalResponses: all.length,
    latencyMs: percentiles(ok),
    latencyAllMs: percentiles(all),
    statusCodes,
    non2xx,
    errors,
    timeouts,
    errorSamples: [...errorSamples],
    scheduleLagMs: percentiles(lag),
  };
}

/** runPaced() in a child process of its own (bench/paced-worker.ts). */
export function runPacedInChild(spec: PacedSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'paced-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answered = false;
    child.once('message', (msg: { result?: LoadResult; error?: string }) => {
      answered = true;
      if (msg.result) resolve(msg.result);
      else reject(new Error(`paced load: ${msg.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`paced load process exited with code ${code} before answering`));
    });
    child.send(spec);
  });
}

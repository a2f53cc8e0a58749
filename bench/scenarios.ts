/**
 * The benchmark's measurements: autocannon load runs (with every response's latency kept, so
 * percentiles come from raw samples rather than autocannon's whole-millisecond histogram) and the
 * sequential first-use timing of fresh keys.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { httpRequest } from './http';
import { API, HOST, sleep } from './server';

export interface LoadSpec {
  /** e.g. http://127.0.0.1:PORT */
  baseUrl: string;
  /** Path after the host, e.g. /api/v1/health */
  path: string;
  headers?: Record<string, string>;
  connections: number;
  pipelining: number;
  durationSec: number;
  /**
   * When set, every request carries `X-API-Key: <prefix>_<32 random [A-Za-z0-9]>`: a well-formed
   * key with a known prefix and a wrong secret (brute-force flood).
   */
  wrongSecretsForPrefix?: string;
  /** Seconds before a request counts as timed out. */
  timeoutSec?: number;
}

export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  path: string;
  connections: number;
  pipelining: number;
  overallRate?: number;
  durationSec: number;
  /** All responses per second, whatever their status. */
  rps: number;
  /** 2xx responses per second: what the ratios compare. */
  okRps: number;
  totalResponses: number;
  /** Latency of 2xx responses, ms, from raw samples. */
  latencyMs: Percentiles;
  /** Latency of every response, ms. */
  latencyAllMs: Percentiles;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** The first few distinct request-error messages. */
  errorSamples: string[];
  /** Paced run (f) only: how late the load generator issued requests against its schedule. */
  scheduleLagMs?: Percentiles;
  /** Autocannon's own summary (histogram-based; kept for reference); absent for the paced run (f). */
  autocannon?: { requestsAverage: number; latencyP50: number; latencyP99: number; sent: number };
}

export function percentiles(values: ArrayLike<number>): Percentiles {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  // Nearest-rank percentile.
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  return { count: n, mean: sum / n, p50: at(50), p90: at(90), p99: at(99), max: sorted[n - 1] };
}

/** A growable list of float samples. */
class Samples {
  private buf = new Float64Array(16_384);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `count` random 32-character secrets, drawn up front so the flood costs the client little CPU. */
function wrongSecrets(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = randomBytes(32);
    let s = '';
    for (const b of bytes) s += SECRET_ALPHABET[b % SECRET_ALPHABET.length];
    out.push(s);
  }
  return out;
}

/** Runs one autocannon load and collects its result. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.path, spec.baseUrl);
  if (url.hostname !== HOST) throw new Error(`the benchmark only talks to ${HOST}`);
  const headers = { ...(spec.headers ?? {}) };

  const opts: autocannon.Options = {
    url: url.toString(),
    connections: spec.connections,
    pipelining: spec.pipelining,
    duration: spec.durationSec,
    timeout: spec.timeoutSec ?? 10,
    headers,
  } as autocannon.Options;
  if (spec.wrongSecretsForPrefix) {
    const pool = wrongSecrets(4096);
    let i = 0;
    const prefix = spec.wrongSecretsForPrefix;
    opts.requests = [
      {
        method: 'GET',
        path: url.pathname,
        headers,
        setupRequest: (req) => {
          i = (i + 1) % pool.length;
          return { ...req, headers: { ...req.headers, 'x-api-key': `${prefix}_${pool[i]}` } };
        },
      },
    ];
  }

  return new Promise((resolve, reject) => {
    const ok = new Samples();
    const all = new Samples();
    const errorSamples = new Set<string>();
    const instance = autocannon(opts, (err, result) => {
      if (err) {
        reject(err);
        return;
      }
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
        statusCodes[code] = (stat as { count?: number }).count ?? 0;
      }
      const duration = result.duration || spec.durationSec;
      resolve({
        path: url.pathname,
        connections: spec.connections,
        pipelining: spec.pipelining,
        durationSec: duration,
        rps: all.length / duration,
        okRps: ok.length / duration,
        totalResponses: all.length,
        latencyMs: percentiles(ok.values()),
        latencyAllMs: percentiles(all.values()),
        statusCodes,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        errorSamples: [...errorSamples],
        autocannon: {
          requestsAverage: result.requests.average,
          latencyP50: result.latency.p50,
          latencyP99: result.latency.p99,
          sent: result.requests.sent,
        },
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      all.push(responseTime);
      if (statusCode >= 200 && statusCode < 300) ok.push(responseTime);
    });
    instance.on('reqError', (err: unknown) => {
      if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
    });
  });
}

/** A short discarded run with the same settings, then the measured run. */
export async function warmThenMeasure(spec: LoadSpec, warmupSec: number): Promise<LoadResult> {
  if (warmupSec > 0) await runLoad({ ...spec, durationSec: warmupSec });
  return runLoad(spec);
}

/** Whether a (non-flood) load run is usable: responses came back, all 2xx, no errors. */
export function loadProblems(r: LoadResult): string[] {
  const problems: string[] = [];
  if (r.totalResponses === 0) problems.push('no responses');
  if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx (${formatCodes(r.statusCodes)})`);
  if (r.errors > 0) problems.push(`${r.errors} errors (${r.timeouts} timeouts)${r.errorSamples.length ? `: ${r.errorSamples.join('; ')}` : ''}`);
  return problems;
}

export function formatCodes(codes: Record<string, number>): string {
  return Object.entries(codes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
}

export interface FirstUseResult {
  keys: number;
  latencyMs: Percentiles;
  statusCodes: Record<string, number>;
  /** Each key's first request, ms, in order. */
  samplesMs: number[];
  /** Time to create the keys beforehand (each is a bcrypt hash on the server). */
  createMs: number;
  problems: string[];
}

/**
 * (d) Creates `count` fresh keys, then times one first request with each, one at a time: the path
 * that has to run bcrypt because the server has never seen the key.
 */
export async function firstUseLatency(
  baseUrl: string,
  accessToken: string,
  count: number,
  clientAddress: string,
): Promise<FirstUseResult> {
  const created = Date.now();
  const keys: string[] = [];
  const problems: string[] = [];
  // Two at a time: key creation is a bcrypt hash each, and the machine has two cores.
  for (let i = 0; i < count; i += 2) {
    const batch = await Promise.all(
      [i, i + 1]
        .filter((n) => n < count)
        .map((n) =>
          httpRequest('POST', `${baseUrl}${API}/api-keys`, {
            headers: { authorization: `Bearer ${accessToken}` },
            body: { name: `bench fresh ${n + 1}`, scopes: ['agents:read'], rate_limit: 1_000_000 },
          }),
        ),
    );
    for (const res of batch) {
      const key = res.json?.key;
      if (res.status === 201 && typeof key === 'string') keys.push(key);
      else problems.push(`creating a fresh key: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  const createMs = Date.now() - created;
  await sleep(200);

  // One kept-alive connection, opened before the timings, so only the server's work is timed.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const statusCodes: Record<string, number> = {};
  const samples: number[] = [];
  try {
    await httpRequest('GET', `${baseUrl}${API}/health`, { agent });
    for (const key of keys) {
      const res = await httpRequest('GET', `${baseUrl}${API}/agents`, {
        agent,
        timeoutMs: 30_000,
        headers: { 'x-api-key': key, 'x-forwarded-for': clientAddress },
      });
      statusCodes[res.status] = (statusCodes[res.status] ?? 0) + 1;
      samples.push(res.ms);
    }
  } finally {
    agent.destroy();
  }
  const non200 = Object.entries(statusCodes).filter(([code]) => code !== '200');
  if (non200.length) problems.push(`first requests answered ${formatCodes(statusCodes)}`);
  if (keys.length === 0) problems.push('no fresh key could be created');
  return { keys: keys.length, latencyMs: percentiles(samples), statusCodes, samplesMs: samples, createMs, problems };
}

/**
 * Waits (bounded) until the server answers /health within `fastMs` twice in a row, so work queued
 * by one scenario (e.g. bcrypt jobs of timed-out requests) does not leak into the next one.
 * Returns how long that took.
 */
export async function settle(baseUrl: string, maxMs: number, fastMs = 100): Promise<{ ms: number; settled: boolean }> {
  const started = Date.now();
  let fastInARow = 0;
  while (Date.now() - started < maxMs) {
    try {
      const remaining = maxMs - (Date.now() - started);
      const res = await httpRequest('GET', `${baseUrl}${API}/health`, { timeoutMs: Math.max(250, remaining) });
      fastInARow = res.status === 200 && res.ms < fastMs ? fastInARow + 1 : 0;
      if (fastInARow >= 2) return { ms: Date.now() - started, settled: true };
    } catch {
      fastInARow = 0;
    }
    await sleep(100);
  }
  return { ms: Date.now() - started, settled: false };
}

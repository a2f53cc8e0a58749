/**
 * (n) the noisy neighbour: tenant B's GET /agents at a steady rate (bench/paced.ts, open loop), first
 * alone, then while tenant A polls GET /metrics as fast as `connections` clients can (autocannon,
 * closed loop) against a year of seeded usage. B's latency is timed the same way both times; the
 * target compares the two p50s. A starts first and stops last, so B's whole measured window is inside A's load.
 */
import { runPacedInChild } from './paced';
import { LoadResult, runLoad, settle } from './scenarios';
import { API, ServerProcess, sleep } from './server';

export interface NeighbourSpec {
  server: ServerProcess;
  /** Tenant A's key (metrics:read) and tenant B's key (agents:read). */
  keyA: string;
  keyB: string;
  addressA: string;
  addressB: string;
  connectionsA: number;
  rateB: number;
  warmupSec: number;
  durationSec: number;
  settleMaxMs: number;
}

export interface NeighbourResult {
  alone: LoadResult;
  during: LoadResult;
  /** Tenant A's polling while B was measured. */
  noisy: LoadResult;
  /** B while A polls at a steady 10 req/s: the load issue 10's "before" figure was taken under. */
  duringSlow: LoadResult;
}

/** The rate at which issue 10 first measured the neighbour effect (p50 3.6 ms → 551 ms). */
export const SLOW_POLL_RATE = 10;

export async function measureNeighbour(spec: NeighbourSpec): Promise<NeighbourResult> {
  const baseUrl = spec.server.baseUrl;
  const tenantB = {
    baseUrl,
    path: `${API}/agents`,
    headers: { 'x-api-key': spec.keyB, 'x-forwarded-for': spec.addressB },
    rate: spec.rateB,
    connections: 10,
  };
  const tenantA = {
    baseUrl,
    path: `${API}/metrics`,
    headers: { 'x-api-key': spec.keyA, 'x-forwarded-for': spec.addressA },
    connections: spec.connectionsA,
    pipelining: 1,
  };
  const warm = Math.max(spec.warmupSec, 1);
  await runLoad({ ...tenantA, durationSec: warm });
  await runPacedInChild({ ...tenantB, durationSec: warm });
  await settle(baseUrl, spec.settleMaxMs);

  const alone = await runPacedInChild({ ...tenantB, durationSec: spec.durationSec });
  await settle(baseUrl, spec.settleMaxMs);

  // A runs `warm` seconds before B starts and about a second after B's last request is due.
  const noisyRun = runLoad({ ...tenantA, durationSec: warm + spec.durationSec + 1 });
  noisyRun.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  await sleep(warm * 1000);
  const during = await runPacedInChild({ ...tenantB, durationSec: spec.durationSec });
  const noisy = await noisyRun;
  await settle(baseUrl, spec.settleMaxMs);

  const slowRun = runPacedInChild({ ...tenantA, rate: SLOW_POLL_RATE, durationSec: warm + spec.durationSec + 1 });
  slowRun.catch(() => undefined); // awaited below
  await sleep(warm * 1000);
  const duringSlow = await runPacedInChild({ ...tenantB, durationSec: spec.durationSec });
  await slowRun;
  return { alone, during, noisy, duringSlow };
}

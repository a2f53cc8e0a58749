const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `5s,5m,30m,2h` -> the waits in ms before attempts 2, 3, ... (a bare number is seconds). */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$/.exec(part);
    if (!match) throw new Error(`invalid retry delay '${part}'`);
    return Math.round(Number(match[1]) * UNIT_MS[match[2] || 's']);
  });
}

/**
 * The wait after failed attempt `attempt` (1-based), with ±20 % jitter so that endpoints that
 * failed together are not all retried in the same instant; null once the schedule is spent.
 */
export function retryDelayMs(schedule: number[], attempt: number, random = Math.random): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}

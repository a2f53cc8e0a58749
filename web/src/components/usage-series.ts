export type Granularity = 'hour' | 'day';

/** One bucket of GET /api-keys/{id}/usage/history, with whichever counts the API sends. */
export interface UsageBucket {
  bucket_start: string;
  [count: string]: unknown;
}

export interface UsageRange {
  id: string;
  label: string;
  granularity: Granularity;
  hours: number;
}

export const USAGE_RANGES: UsageRange[] = [
  { id: '24h', label: 'Last 24 hours, per hour', granularity: 'hour', hours: 24 },
  { id: '7d', label: 'Last 7 days, per hour', granularity: 'hour', hours: 24 * 7 },
  { id: '30d', label: 'Last 30 days, per day', granularity: 'day', hours: 24 * 30 },
  { id: '90d', label: 'Last 90 days, per day', granularity: 'day', hours: 24 * 90 },
];

/** The series the chart shows: requests served (2xx/3xx), refused by the rate limit (429) and denied (401/403 after the key was verified). */
export const SERIES = [
  { field: 'served_count', label: 'Served', className: 'served' },
  { field: 'refused_count', label: 'Refused (429)', className: 'refused' },
  { field: 'denied_count', label: 'Denied', className: 'denied' },
] as const;
export type SeriesField = (typeof SERIES)[number]['field'];

export interface UsageSeries {
  /** Bucket starts, epoch seconds, one per hour or day of the range, empty buckets included. */
  times: number[];
  /** Only the series the API returned. */
  series: { field: SeriesField; label: string; className: string; values: number[]; total: number }[];
}

const STEP_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };

/** The range's time window, aligned to whole buckets (UTC) so the request is the same for a whole bucket. */
export function rangeWindow(range: UsageRange, now = Date.now()): { from: string; to: string } {
  const step = STEP_MS[range.granularity];
  const to = Math.floor(now / step) * step + step;
  const from = to - range.hours * 3_600_000;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/**
 * Fills the buckets the API omits (no requests) with zeros, and keeps only the series present in the
 * response, so a field the API does not (yet) send is simply not drawn.
 */
export function toSeries(buckets: UsageBucket[], window: { from: string; to: string }, granularity: Granularity): UsageSeries {
  const step = STEP_MS[granularity];
  const start = Date.parse(window.from);
  const end = Date.parse(window.to);
  const times: number[] = [];
  for (let t = start; t < end; t += step) times.push(t / 1000);
  const index = new Map(times.map((t, i) => [t * 1000, i]));
  const present = SERIES.filter((s) => buckets.some((b) => typeof b[s.field] === 'number'));
  const shown = present.length > 0 ? present : SERIES.slice(0, 2);
  const series = shown.map((s) => ({ ...s, values: times.map(() => 0), total: 0 }));
  for (const bucket of buckets) {
    const i = index.get(Math.floor(Date.parse(bucket.bucket_start) / step) * step);
    for (const s of series) {
      const value = Number(bucket[s.field] ?? 0);
      if (i !== undefined) s.values[i] += value;
      s.total += value;
    }
  }
  return { times, series };
}

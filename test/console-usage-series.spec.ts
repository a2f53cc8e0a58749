import { rangeWindow, toSeries, USAGE_RANGES } from '../web/src/components/usage-series';

// The console's chart data: whole buckets, zeros where the API omits a bucket, and only the series the
// API sends (denied requests appear when the API starts reporting them).
describe('console usage series', () => {
  const day = USAGE_RANGES.find((r) => r.id === '30d')!;
  const hours = USAGE_RANGES.find((r) => r.id === '24h')!;
  const now = Date.parse('2026-11-30T04:41:10Z');

  it('aligns the window to whole buckets, ending after the current one', () => {
    expect(rangeWindow(hours, now)).toEqual({ from: '2026-11-29T05:00:00.000Z', to: '2026-11-30T05:00:00.000Z' });
    expect(rangeWindow(day, now)).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
  });

  it('fills the buckets without requests with zeros and totals each series', () => {
    const window = rangeWindow(hours, now);
    const data = toSeries(
      [
        { bucket_start: '2026-11-29T05:00:00.000Z', served_count: 3, refused_count: 1 },
        { bucket_start: '2026-11-30T04:00:00.000Z', served_count: 2, refused_count: 0 },
      ],
      window,
      'hour',
    );
    expect(data.times).toHaveLength(24);
    expect(data.series.map((s) => s.field)).toEqual(['served_count', 'refused_count']);
    const [served, refused] = data.series;
    expect(served.values[0]).toBe(3);
    expect(served.values[23]).toBe(2);
    expect(served.values.slice(1, 23).every((v) => v === 0)).toBe(true);
    expect([served.total, refused.total]).toEqual([5, 1]);
  });

  it('shows denied requests only when the API reports them', () => {
    const window = rangeWindow(hours, now);
    const withDenied = toSeries(
      [{ bucket_start: '2026-11-30T04:00:00.000Z', served_count: 1, refused_count: 0, denied_count: 4 }],
      window,
      'hour',
    );
    expect(withDenied.series.map((s) => [s.label, s.total])).toEqual([
      ['Served', 1],
      ['Refused (429)', 0],
      ['Denied', 4],
    ]);
    expect(toSeries([], window, 'hour').series.map((s) => s.label)).toEqual(['Served', 'Refused (429)']);
  });
});

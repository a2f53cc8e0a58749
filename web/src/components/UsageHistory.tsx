import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useSignedIn } from '../session/SessionProvider';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './States';
import { rangeWindow, toSeries, USAGE_RANGES } from './usage-series';

const UsageChart = lazy(() => import('./UsageChart'));

const bucketLabel = (seconds: number, granularity: 'hour' | 'day') =>
  new Date(seconds * 1000).toLocaleString('en', granularity === 'day' ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' });

/** Served, refused and (when the API reports it) denied requests per hour or day, as a chart and a table. */
export function UsageHistory({ keyId }: { keyId: string }) {
  const { client } = useSignedIn();
  const [rangeId, setRangeId] = useState(USAGE_RANGES[0].id);
  const range = USAGE_RANGES.find((r) => r.id === rangeId) ?? USAGE_RANGES[0];
  const history = useQuery({
    queryKey: ['usage-history', keyId, range.id],
    queryFn: async () => {
      const window = rangeWindow(range);
      const page = await client.apiKeys.usageHistory(keyId, { granularity: range.granularity, ...window });
      return { window, buckets: page.data };
    },
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const data = useMemo(
    () => (history.data ? toSeries(history.data.buckets, history.data.window, range.granularity) : null),
    [history.data, range.granularity],
  );
  const anyRequests = data?.series.some((s) => s.total > 0) ?? false;

  return (
    <section className="card" aria-labelledby="usage-history-title">
      <div className="card-header">
        <h2 id="usage-history-title">Requests over time</h2>
        <div className="field inline">
          <label htmlFor="usage-range">Range</label>
          <select id="usage-range" value={rangeId} onChange={(e) => setRangeId(e.target.value)}>
            {USAGE_RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorMessage error={history.error} />
      {history.isPending ? <Loading what="usage" /> : null}
      {data ? (
        <>
          <ul className="totals" aria-label="Totals in this range">
            {data.series.map((s) => (
              <li key={s.field} className={`total total-${s.className}`} data-series={s.field}>
                <span className="total-label">{s.label}</span> <span className="total-value">{s.total}</span>
              </li>
            ))}
          </ul>
          {anyRequests ? (
            <Suspense fallback={<Loading what="chart" />}>
              <UsageChart data={data} granularity={range.granularity} />
            </Suspense>
          ) : (
            <p className="empty">No requests with this key in this range.</p>
          )}
          {anyRequests ? (
            <details className="data-table">
              <summary>Show as a table</summary>
              <div className="table-scroll" tabIndex={0} role="region" aria-label="Requests per bucket">
                <table className="table compact">
                  <thead>
                    <tr>
                      <th scope="col">{range.granularity === 'day' ? 'Day' : 'Hour'}</th>
                      {data.series.map((s) => (
                        <th key={s.field} scope="col">
                          {s.label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {data.times.map((t, i) =>
                      data.series.some((s) => s.values[i] > 0) ? (
                        <tr key={t}>
                          <td>{bucketLabel(t, range.granularity)}</td>
                          {data.series.map((s) => (
                            <td key={s.field}>{s.values[i]}</td>
                          ))}
                        </tr>
                      ) : null,
                    )}
                  </tbody>
                </table>
              </div>
            </details>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

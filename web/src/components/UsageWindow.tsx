import { useQuery } from '@tanstack/react-query';
import { formatCountdown } from '../lib/time';
import { useNow } from '../lib/use-now';
import { useSignedIn } from '../session/SessionProvider';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './States';

/** The key's current rate-limit window: requests used of the limit, and when it resets. */
export function UsageWindow({ keyId }: { keyId: string }) {
  const { client } = useSignedIn();
  const now = useNow();
  const usage = useQuery({
    queryKey: ['usage', keyId],
    queryFn: () => client.apiKeys.usage(keyId),
    refetchInterval: 5_000,
  });
  const data = usage.data;
  const secondsLeft = data ? (Date.parse(data.reset_at) - now) / 1000 : 0;
  return (
    <section className="card" aria-labelledby="usage-window-title">
      <h2 id="usage-window-title">Current window</h2>
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Loading what="current usage" /> : null}
      {data ? (
        <>
          <p className="big-number">
            <span data-testid="window-used">{data.request_count}</span> <span className="of">/ {data.rate_limit} requests</span>
          </p>
          <meter
            className="meter"
            min={0}
            max={data.rate_limit}
            value={Math.min(data.request_count, data.rate_limit)}
            high={data.rate_limit * 0.8}
            aria-label="Requests used in this window"
          />
          <p className="hint">
            {data.remaining} left ·{' '}
            {secondsLeft > 0 ? `resets in ${formatCountdown(secondsLeft)}` : 'resetting now'}
          </p>
        </>
      ) : null}
    </section>
  );
}

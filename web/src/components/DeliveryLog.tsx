import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { WebhookDelivery } from '../api/types';
import { formatDateTime } from '../lib/time';
import { useCursorPages } from '../lib/use-cursor-pages';
import { useSignedIn } from '../session/SessionProvider';
import { ErrorMessage } from './ErrorMessage';
import { Pager } from './Pager';
import { Empty, Loading } from './States';

function DeliveryStatus({ status }: { status: WebhookDelivery['status'] }) {
  const tone = status === 'succeeded' ? 'active' : status === 'failed' ? 'revoked' : 'expired';
  return <span className={`badge badge-${tone}`}>{status}</span>;
}

/** One delivery: what was sent, how it went, and Redeliver. */
function DeliveryRow({ endpointId, delivery }: { endpointId: string; delivery: WebhookDelivery }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [queued, setQueued] = useState(false);
  const redeliver = async () => {
    setPending(true);
    setError(null);
    setQueued(false);
    try {
      await client.webhooks.redeliver(endpointId, delivery.id);
      setQueued(true);
      await queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', endpointId] });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };
  return (
    <tr>
      <td data-label="Event">
        <code>{delivery.event_type}</code>
        <span className="id block-id">{delivery.event_id}</span>
      </td>
      <td data-label="Status">
        <DeliveryStatus status={delivery.status} />
      </td>
      <td data-label="Attempts">{delivery.attempts}</td>
      <td data-label="Last answer">
        {delivery.last_status_code ?? <span className="muted">—</span>}
        {delivery.last_error ? <span className="hint">{delivery.last_error}</span> : null}
      </td>
      <td data-label="Created">{formatDateTime(delivery.created_at)}</td>
      <td data-label="Delivered / next try">
        {delivery.delivered_at
          ? formatDateTime(delivery.delivered_at)
          : delivery.next_attempt_at
            ? `next try ${formatDateTime(delivery.next_attempt_at)}`
            : '—'}
      </td>
      <td data-label="Actions">
        <button
          type="button"
          className="button secondary small"
          disabled={pending}
          onClick={redeliver}
          aria-label={`Redeliver ${delivery.event_type} of ${formatDateTime(delivery.created_at)}`}
        >
          {pending ? 'Sending…' : 'Redeliver'}
        </button>
        {queued ? (
          <span className="hint" role="status">
            Queued again.
          </span>
        ) : null}
        <ErrorMessage error={error} />
      </td>
    </tr>
  );
}

/** The endpoint's deliveries, newest first; refreshed often while one is still pending. */
export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const { client } = useSignedIn();
  const pages = useCursorPages();
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpointId, pages.cursor],
    queryFn: () => client.webhooks.deliveries(endpointId, { cursor: pages.cursor, limit: 20 }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.data.some((d) => d.status === 'pending') ? 2_000 : 15_000),
  });
  return (
    <section className="card" aria-labelledby="deliveries-title">
      <div className="card-header">
        <h2 id="deliveries-title">Delivery log</h2>
        <button type="button" className="button secondary small" onClick={() => void deliveries.refetch()}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={deliveries.error} />
      {deliveries.isPending ? <Loading what="deliveries" /> : null}
      {deliveries.data && deliveries.data.data.length === 0 ? (
        <Empty>
          <p>Nothing delivered yet. Send a test to see one here.</p>
        </Empty>
      ) : null}
      {deliveries.data && deliveries.data.data.length > 0 ? (
        <table className="table" aria-label="Deliveries">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Created</th>
              <th scope="col">Delivered / next try</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.data.map((delivery) => (
              <DeliveryRow key={delivery.id} endpointId={endpointId} delivery={delivery} />
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager
        label="Deliveries"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={deliveries.data?.next_cursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </section>
  );
}

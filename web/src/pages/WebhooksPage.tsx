import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { CreateWebhookDialog } from '../components/CreateWebhookDialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { Empty, Loading } from '../components/States';
import { WebhookStateBadge } from '../components/WebhookStateBadge';
import { formatDateTime } from '../lib/time';
import { useCursorPages } from '../lib/use-cursor-pages';
import { useSignedIn } from '../session/SessionProvider';

/** The organization's webhook endpoints (owners and admins), and "Add endpoint". */
export function WebhooksPage() {
  const { client, me } = useSignedIn();
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const endpoints = useQuery({
    queryKey: ['webhooks', pages.cursor],
    queryFn: () => client.webhooks.list({ cursor: pages.cursor, limit: 20 }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeading
        title="Webhooks"
        actions={
          <button type="button" className="button" onClick={() => setCreating(true)}>
            Add endpoint
          </button>
        }
      >
        <p className="lede">Where {me.organization.name}'s key and member events are sent, signed.</p>
      </PageHeading>
      <ErrorMessage error={endpoints.error} />
      {endpoints.isPending ? <Loading what="webhook endpoints" /> : null}
      {endpoints.data && endpoints.data.data.length === 0 ? (
        <Empty>
          <p>No webhook endpoints yet. Add one to hear about keys created, rotated, revoked or about to expire.</p>
        </Empty>
      ) : null}
      {endpoints.data && endpoints.data.data.length > 0 ? (
        <table className="table" aria-label="Webhook endpoints">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.data.map((endpoint) => (
              <tr key={endpoint.id} className={endpoint.enabled ? undefined : 'row-disabled'}>
                <td data-label="URL">
                  <Link href={`/webhooks/${endpoint.id}`} className="strong-link url">
                    {endpoint.url}
                  </Link>
                  {endpoint.description ? <span className="hint">{endpoint.description}</span> : null}
                </td>
                <td data-label="Events">
                  <ul className="chips">
                    {endpoint.events.map((type) => (
                      <li key={type} className="chip">
                        {type}
                      </li>
                    ))}
                  </ul>
                </td>
                <td data-label="State">
                  <WebhookStateBadge endpoint={endpoint} />
                </td>
                <td data-label="Created">{formatDateTime(endpoint.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager
        label="Webhook endpoints"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={endpoints.data?.next_cursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      {creating ? <CreateWebhookDialog onClose={() => setCreating(false)} /> : null}
    </>
  );
}

export default WebhooksPage;

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import type { WebhookChanges, WebhookEndpoint } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DeliveryLog } from '../components/DeliveryLog';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeading } from '../components/PageHeading';
import { RotateSecretDialog } from '../components/RotateSecretDialog';
import { Loading } from '../components/States';
import { WebhookEventsPicker } from '../components/WebhookEventsPicker';
import { WebhookStateBadge } from '../components/WebhookStateBadge';
import { formatDateTime } from '../lib/time';
import { useSignedIn } from '../session/SessionProvider';

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** URL, description, events and the on/off switch of one endpoint; sends only what changed. */
function WebhookSettings({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description ?? '');
  const [events, setEvents] = useState<string[]>([...endpoint.events]);
  const [enabled, setEnabled] = useState(endpoint.enabled);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const body: WebhookChanges = {};
    if (url !== endpoint.url) body.url = url;
    if (description !== (endpoint.description ?? '')) body.description = description;
    if (!sameSet(events, endpoint.events)) body.events = events as WebhookChanges['events'];
    if (enabled !== endpoint.enabled) body.enabled = enabled;
    setError(null);
    setSaved(false);
    if (Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    setPending(true);
    try {
      const updated = await client.webhooks.update(endpoint.id, body);
      queryClient.setQueryData(['webhook', endpoint.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="card" aria-labelledby="webhook-settings-title">
      <h2 id="webhook-settings-title">Settings</h2>
      <form className="form" onSubmit={save}>
        <div className="field">
          <label htmlFor="edit-webhook-url">Endpoint URL</label>
          <input id="edit-webhook-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="edit-webhook-description">Description</label>
          <input id="edit-webhook-description" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <WebhookEventsPicker chosen={events} onChange={setEvents} />
        <label className="checkbox-line">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <span>Enabled (events are sent to this endpoint)</span>
        </label>
        <ErrorMessage error={error} />
        {saved ? (
          <p className="success" role="status">
            Saved.
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Saving…' : 'Save endpoint'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function WebhookDetailPage() {
  const { id } = useParams<{ id: string }>();
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [deleting, setDeleting] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<unknown>(null);
  const [testSent, setTestSent] = useState(false);
  const endpoint = useQuery({ queryKey: ['webhook', id], queryFn: () => client.webhooks.get(id) });

  if (endpoint.isPending) return <Loading what="the endpoint" />;
  if (!endpoint.data) {
    return (
      <>
        <PageHeading title="Endpoint not found" />
        <ErrorMessage error={endpoint.error} />
        <p>
          <Link href="/webhooks">Back to the webhooks</Link>
        </p>
      </>
    );
  }
  const hook = endpoint.data;

  const sendTest = async () => {
    setTesting(true);
    setTestError(null);
    setTestSent(false);
    try {
      await client.webhooks.test(hook.id);
      setTestSent(true);
      await queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', hook.id] });
    } catch (err) {
      setTestError(err);
    } finally {
      setTesting(false);
    }
  };
  const remove = async () => {
    await client.webhooks.delete(hook.id);
    queryClient.removeQueries({ queryKey: ['webhook', hook.id] });
    await queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    navigate('/webhooks');
  };

  return (
    <>
      <p className="breadcrumb">
        <Link href="/webhooks">← Webhooks</Link>
      </p>
      <PageHeading
        title={hook.description || 'Webhook endpoint'}
        actions={
          <>
            <button type="button" className="button secondary" disabled={testing} onClick={sendTest}>
              {testing ? 'Sending…' : 'Send test'}
            </button>
            <button type="button" className="button danger" onClick={() => setDeleting(true)}>
              Delete
            </button>
          </>
        }
      >
        <p className="lede">
          <code className="url">{hook.url}</code> <WebhookStateBadge endpoint={hook} />
        </p>
      </PageHeading>
      <ErrorMessage error={testError} />
      {testSent ? (
        <p className="notice" role="status">
          A <code>webhook.test</code> event is on its way; it appears in the delivery log below.
        </p>
      ) : null}
      {!hook.enabled && hook.disabled_reason ? (
        <p className="warning" role="note">
          Disabled: {hook.disabled_reason}. Fix the receiver, then enable the endpoint again below.
        </p>
      ) : null}
      <div className="detail-grid">
        <WebhookSettings key={hook.id} endpoint={hook} />
        <section className="card" aria-labelledby="webhook-fields-title">
          <h2 id="webhook-fields-title">Details</h2>
          <dl className="fields">
            <dt>Created</dt>
            <dd>{formatDateTime(hook.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(hook.updated_at)}</dd>
            <dt>Endpoint id</dt>
            <dd>
              <code>{hook.id}</code>
            </dd>
            <dt>Signing secret</dt>
            <dd>Shown once, when the endpoint was added or the secret replaced.</dd>
          </dl>
          <button type="button" className="button secondary small" onClick={() => setRotating(true)}>
            Replace signing secret
          </button>
        </section>
      </div>
      <DeliveryLog endpointId={hook.id} />
      {rotating ? <RotateSecretDialog endpointId={hook.id} onClose={() => setRotating(false)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this webhook endpoint?"
          confirmLabel="Delete endpoint"
          danger
          onConfirm={remove}
          onClose={() => setDeleting(false)}
        >
          <p>
            No more events will be sent to <code>{hook.url}</code>, and its delivery log goes with it. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

export default WebhookDetailPage;

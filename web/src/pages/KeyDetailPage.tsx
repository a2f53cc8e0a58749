import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EditKeyDialog } from '../components/EditKeyDialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { AllowlistCard, MetadataCard } from '../components/KeyAccessSettings';
import { PageHeading } from '../components/PageHeading';
import { RotateKeyDialog } from '../components/RotateKeyDialog';
import { Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { UsageHistory } from '../components/UsageHistory';
import { UsageWindow } from '../components/UsageWindow';
import { formatDateTime, fromNow } from '../lib/time';
import { useMemberNames } from '../lib/use-member-names';
import { canChangeKey } from '../session/permissions';
import { useSignedIn } from '../session/SessionProvider';

export function KeyDetailPage() {
  const { id } = useParams<{ id: string }>();
  const { client, me } = useSignedIn();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [dialog, setDialog] = useState<'edit' | 'disable' | 'rotate' | 'revoke' | null>(null);
  const [enabling, setEnabling] = useState(false);
  const [enableError, setEnableError] = useState<unknown>(null);
  const memberName = useMemberNames();
  // Refreshed now and then: last_used_at and the status change while the page is open.
  const key = useQuery({ queryKey: ['key', id], queryFn: () => client.apiKeys.get(id), refetchInterval: 15_000 });

  if (key.isPending) return <Loading what="the key" />;
  if (!key.data) {
    return (
      <>
        <PageHeading title="Key not found" />
        <ErrorMessage error={key.error} />
        <p>
          <Link href="/keys">Back to the keys</Link>
        </p>
      </>
    );
  }
  const apiKey = key.data;
  const changeable = apiKey.status === 'active' && canChangeKey(me, apiKey);
  // Editing (PATCH) is refused only for revoked keys: an expired key may get a later expiry.
  const editable = apiKey.status !== 'revoked' && canChangeKey(me, apiKey);
  const enabled = apiKey.enabled !== false;

  const revoke = async () => {
    await client.apiKeys.revoke(apiKey.id);
    await queryClient.invalidateQueries({ queryKey: ['keys'] });
    await queryClient.invalidateQueries({ queryKey: ['key', apiKey.id] });
    setDialog(null);
  };
  const setEnabled = async (on: boolean) => {
    const updated = on ? await client.apiKeys.enable(apiKey.id) : await client.apiKeys.disable(apiKey.id);
    queryClient.setQueryData(['key', apiKey.id], updated);
    await queryClient.invalidateQueries({ queryKey: ['keys'] });
  };
  const enable = async () => {
    setEnabling(true);
    setEnableError(null);
    try {
      await setEnabled(true);
    } catch (err) {
      setEnableError(err);
    } finally {
      setEnabling(false);
    }
  };

  return (
    <>
      <p className="breadcrumb">
        <Link href="/keys">← API keys</Link>
      </p>
      <PageHeading
        title={apiKey.name}
        actions={
          editable || changeable ? (
            <>
              {editable ? (
                <>
                  <button type="button" className="button secondary" onClick={() => setDialog('edit')}>
                    Edit
                  </button>
                  {enabled ? (
                    <button type="button" className="button secondary" onClick={() => setDialog('disable')}>
                      Disable
                    </button>
                  ) : (
                    <button type="button" className="button secondary" disabled={enabling} onClick={enable}>
                      {enabling ? 'Enabling…' : 'Enable'}
                    </button>
                  )}
                </>
              ) : null}
              {changeable ? (
                <>
              <button type="button" className="button secondary" onClick={() => setDialog('rotate')}>
                Rotate
              </button>
              <button type="button" className="button danger" onClick={() => setDialog('revoke')}>
                Revoke
              </button>
                </>
              ) : null}
            </>
          ) : null
        }
      >
        <p className="lede">
          <code>{apiKey.key_prefix}…</code> <StatusBadge status={apiKey.status} enabled={enabled} />
        </p>
      </PageHeading>
      <ErrorMessage error={key.error} />
      <ErrorMessage error={enableError} />
      {!enabled && apiKey.status === 'active' ? (
        <p className="notice" role="status">
          This key is disabled: every request made with it is refused with 401 “API key is disabled” until it is
          enabled again. Nothing else about it has changed.
        </p>
      ) : null}

      <div className="detail-grid">
        <section className="card" aria-labelledby="key-fields-title">
          <h2 id="key-fields-title">Details</h2>
          <dl className="fields">
            <dt>Scopes</dt>
            <dd>
              <ul className="chips">
                {apiKey.scopes.map((scope) => (
                  <li key={scope} className="chip">
                    {scope}
                  </li>
                ))}
              </ul>
            </dd>
            <dt>State</dt>
            <dd>{enabled ? 'Enabled' : 'Disabled'}</dd>
            <dt>Rate limit</dt>
            <dd>{apiKey.rate_limit} requests per minute</dd>
            <dt>Last used</dt>
            <dd>{apiKey.last_used_at ? `${fromNow(apiKey.last_used_at)} (${formatDateTime(apiKey.last_used_at)})` : 'never'}</dd>
            <dt>Expires</dt>
            <dd>{apiKey.expires_at ? formatDateTime(apiKey.expires_at) : 'never'}</dd>
            {apiKey.revoked_at ? (
              <>
                <dt>Revoked</dt>
                <dd>{formatDateTime(apiKey.revoked_at)}</dd>
              </>
            ) : null}
            <dt>Created</dt>
            <dd>
              {formatDateTime(apiKey.created_at)} by {memberName(apiKey.created_by) ?? <code>{apiKey.created_by}</code>}
            </dd>
            <dt>Key id</dt>
            <dd>
              <code>{apiKey.id}</code>
            </dd>
          </dl>
        </section>
        <UsageWindow keyId={apiKey.id} />
      </div>
      <div className="access-grid">
        <AllowlistCard apiKey={apiKey} editable={editable} />
        <MetadataCard apiKey={apiKey} editable={editable} />
      </div>
      <UsageHistory keyId={apiKey.id} />

      {dialog === 'edit' ? <EditKeyDialog apiKey={apiKey} onClose={() => setDialog(null)} /> : null}
      {dialog === 'disable' ? (
        <ConfirmDialog
          title={`Disable “${apiKey.name}”?`}
          confirmLabel="Disable key"
          onConfirm={async () => {
            await setEnabled(false);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        >
          <p>
            Every request made with <code>{apiKey.key_prefix}…</code> will be refused with 401 “API key is disabled”
            until you enable it again. Unlike revoking, this can be undone, and the key stays the same.
          </p>
        </ConfirmDialog>
      ) : null}

      {dialog === 'rotate' ? (
        <RotateKeyDialog
          apiKey={apiKey}
          onClose={(newKeyId) => {
            setDialog(null);
            if (newKeyId) navigate(`/keys/${newKeyId}`);
          }}
        />
      ) : null}
      {dialog === 'revoke' ? (
        <ConfirmDialog title={`Revoke “${apiKey.name}”?`} confirmLabel="Revoke key" danger onConfirm={revoke} onClose={() => setDialog(null)}>
          <p>
            Every request made with <code>{apiKey.key_prefix}…</code> will be refused with 401 from now on. This cannot be
            undone: to give access again, create a new key.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

export default KeyDetailPage;

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, lazy, Suspense, useState } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeading } from '../components/PageHeading';
import { Loading } from '../components/States';
import { formatDateTime } from '../lib/time';
import { canManageKeyPolicy, canRenameOrganization } from '../session/permissions';
import { useSignedIn } from '../session/SessionProvider';

// Only owners and admins see it, so the rest never download it.
const KeyPolicySection = lazy(() => import('../components/KeyPolicySection'));

export function OrganizationPage() {
  const { client, me } = useSignedIn();
  const queryClient = useQueryClient();
  const organization = useQuery({ queryKey: ['organization'], queryFn: () => client.organizations.get() });
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const rename = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '');
    setPending(true);
    setError(null);
    setSaved(false);
    try {
      const updated = await client.organizations.update({ name });
      queryClient.setQueryData(['organization'], updated);
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <PageHeading title="Organization" />
      <ErrorMessage error={organization.error} />
      {organization.isPending ? <Loading what="the organization" /> : null}
      {organization.data ? (
        <section className="card narrow" aria-labelledby="org-title">
          <h2 id="org-title">{organization.data.name}</h2>
          <dl className="fields">
            <dt>Your role</dt>
            <dd>{me.role}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(organization.data.created_at)}</dd>
            <dt>Organization id</dt>
            <dd>
              <code>{organization.data.id}</code>
            </dd>
          </dl>
          {canRenameOrganization(me) ? (
            <form className="form" onSubmit={rename}>
              <div className="field">
                <label htmlFor="org-name">Name</label>
                <input id="org-name" name="name" required maxLength={100} defaultValue={organization.data.name} key={organization.data.name} />
              </div>
              <ErrorMessage error={error} />
              {saved ? (
                <p className="success" role="status">
                  Renamed.
                </p>
              ) : null}
              <div className="actions">
                <button type="submit" className="button" disabled={pending}>
                  {pending ? 'Saving…' : 'Rename organization'}
                </button>
              </div>
            </form>
          ) : null}
        </section>
      ) : null}
      {canManageKeyPolicy(me) ? (
        <Suspense fallback={<Loading what="the key policy" />}>
          <KeyPolicySection />
        </Suspense>
      ) : null}
    </>
  );
}

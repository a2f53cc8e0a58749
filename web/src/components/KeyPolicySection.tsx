import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import type { KeyPolicy, KeyPolicyChanges, Scope } from '../api/types';
import { formatDateTime } from '../lib/time';
import { useSignedIn } from '../session/SessionProvider';
import { ErrorMessage } from './ErrorMessage';
import { ScopePicker } from './ScopePicker';
import { Loading } from './States';

const daysOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));
const sameScopes = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((s) => b.includes(s));

function KeyPolicyForm({ policy }: { policy: KeyPolicy }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [requireExpiry, setRequireExpiry] = useState(policy.require_expiry);
  const [maxLifetime, setMaxLifetime] = useState(policy.max_lifetime_days === null ? '' : String(policy.max_lifetime_days));
  const [restrict, setRestrict] = useState(policy.allowed_scopes !== null);
  const [scopes, setScopes] = useState<Scope[]>([...((policy.allowed_scopes ?? []) as Scope[])]);
  const [unusedDays, setUnusedDays] = useState(policy.auto_revoke_unused_days === null ? '' : String(policy.auto_revoke_unused_days));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const allowed = restrict ? scopes : null;
    const body: KeyPolicyChanges = {};
    if (requireExpiry !== policy.require_expiry) body.require_expiry = requireExpiry;
    if (daysOrNull(maxLifetime) !== policy.max_lifetime_days) body.max_lifetime_days = daysOrNull(maxLifetime);
    if (!sameScopes(allowed, policy.allowed_scopes)) body.allowed_scopes = allowed as KeyPolicyChanges['allowed_scopes'];
    if (daysOrNull(unusedDays) !== policy.auto_revoke_unused_days) body.auto_revoke_unused_days = daysOrNull(unusedDays);
    setError(null);
    setSaved(false);
    if (Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    setPending(true);
    try {
      queryClient.setQueryData(['key-policy'], await client.keyPolicy.update(body));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="form" onSubmit={save}>
      <label className="checkbox-line">
        <input type="checkbox" checked={requireExpiry} onChange={(e) => setRequireExpiry(e.target.checked)} />
        <span>Require an expiry date on every new or changed key</span>
      </label>
      <div className="field-row">
        <div className="field">
          <label htmlFor="policy-max-lifetime">Longest key lifetime (days)</label>
          <input
            id="policy-max-lifetime"
            type="number"
            min={1}
            value={maxLifetime}
            onChange={(e) => setMaxLifetime(e.target.value)}
            aria-describedby="policy-max-lifetime-hint"
          />
          <p className="hint" id="policy-max-lifetime-hint">
            Empty: no limit. A key's expiry may be at most this far from its creation or change.
          </p>
        </div>
        <div className="field">
          <label htmlFor="policy-unused">Revoke keys unused for (days)</label>
          <input
            id="policy-unused"
            type="number"
            min={1}
            value={unusedDays}
            onChange={(e) => setUnusedDays(e.target.value)}
            aria-describedby="policy-unused-hint"
          />
          <p className="hint" id="policy-unused-hint">
            Empty: never. Keys not used for longer are revoked automatically (reason “unused”).
          </p>
        </div>
      </div>
      <label className="checkbox-line">
        <input type="checkbox" checked={restrict} onChange={(e) => setRestrict(e.target.checked)} />
        <span>Allow only some scopes on keys</span>
      </label>
      {restrict ? <ScopePicker legend="Scopes keys may have" chosen={scopes} onChange={setScopes} /> : null}
      <ErrorMessage error={error} />
      {saved ? (
        <p className="success" role="status">
          Key policy saved.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Saving…' : 'Save key policy'}
        </button>
      </div>
    </form>
  );
}

/** The organization's key policy (owners and admins): the rules every key's creation, rotation and change must meet. */
export function KeyPolicySection() {
  const { client } = useSignedIn();
  const policy = useQuery({ queryKey: ['key-policy'], queryFn: () => client.keyPolicy.get() });
  return (
    <section className="card narrow" aria-labelledby="key-policy-title">
      <h2 id="key-policy-title">Key policy</h2>
      <p className="hint">
        Creating, rotating or changing a key that breaks these rules is refused with a message naming the rule.
        {policy.data?.updated_at ? ` Last changed ${formatDateTime(policy.data.updated_at)}.` : ''}
      </p>
      <ErrorMessage error={policy.error} />
      {policy.isPending ? <Loading what="the key policy" /> : null}
      {policy.data ? <KeyPolicyForm policy={policy.data} /> : null}
    </section>
  );
}

export default KeyPolicySection;

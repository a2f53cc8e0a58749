import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { AUDIT_ACTIONS, AuditAction } from '../api/types';
import { AuditTable } from '../components/AuditTable';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { Empty, Loading } from '../components/States';
import { useCursorPages } from '../lib/use-cursor-pages';
import { useSignedIn } from '../session/SessionProvider';

interface AuditFilters {
  action?: AuditAction;
  actor_type?: 'user' | 'api_key' | 'system';
  actor_id?: string;
  target_id?: string;
  from?: string;
  to?: string;
}

/** A `<input type="date">` day as the start of that day (UTC); `to` is exclusive, so it takes the next day. */
const dayStart = (day: string, plusDays = 0) =>
  day ? new Date(Date.parse(`${day}T00:00:00Z`) + plusDays * 86_400_000).toISOString() : undefined;

export function AuditPage() {
  const { client } = useSignedIn();
  const [filters, setFilters] = useState<AuditFilters>({});
  const pages = useCursorPages();
  const log = useQuery({
    queryKey: ['audit', filters, pages.cursor],
    queryFn: () => client.auditLogs.list({ ...filters, cursor: pages.cursor, limit: 25 }),
    placeholderData: keepPreviousData,
  });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    setFilters({
      action: text('action') as AuditAction | undefined,
      actor_type: text('actor_type') as AuditFilters['actor_type'],
      actor_id: text('actor_id'),
      target_id: text('target_id'),
      from: dayStart(text('from') ?? ''),
      to: dayStart(text('to') ?? '', 1),
    });
    pages.reset();
  };
  const filtered = Object.values(filters).some((v) => v !== undefined);

  return (
    <>
      <PageHeading title="Audit log">
        <p className="lede">Who created, rotated and revoked keys and changed members, newest first.</p>
      </PageHeading>
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue="">
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-actor-type">Actor type</label>
          <select id="audit-actor-type" name="actor_type" defaultValue="">
            <option value="">Anyone</option>
            <option value="user">user</option>
            <option value="api_key">api_key</option>
            <option value="system">system</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor id</label>
          <input id="audit-actor" name="actor_id" placeholder="user or key id" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="audit-target">Target id</label>
          <input id="audit-target" name="target_id" placeholder="key or user id" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From (UTC day)</label>
          <input id="audit-from" name="from" type="date" />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To (UTC day, included)</label>
          <input id="audit-to" name="to" type="date" />
        </div>
        <button type="submit" className="button secondary">
          Apply filters
        </button>
      </form>
      <ErrorMessage error={log.error} />
      {log.isPending ? <Loading what="the audit log" /> : null}
      {log.data && log.data.data.length === 0 ? (
        <Empty>
          <p>{filtered ? 'No entries match these filters.' : 'Nothing has been recorded yet.'}</p>
        </Empty>
      ) : null}
      {log.data && log.data.data.length > 0 ? <AuditTable entries={log.data.data} /> : null}
      <Pager
        label="Audit log"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={log.data?.next_cursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { KEY_STATUSES, KeyStatus } from '../api/types';
import { CreateKeyDialog } from '../components/CreateKeyDialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { KeyTable } from '../components/KeyTable';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { Empty, Loading } from '../components/States';
import { useCursorPages } from '../lib/use-cursor-pages';
import { canCreateKeys } from '../session/permissions';
import { useSignedIn } from '../session/SessionProvider';

interface Filters {
  status?: KeyStatus;
  unused_for_days?: number;
}

export function KeysPage() {
  const { client, me } = useSignedIn();
  const [filters, setFilters] = useState<Filters>({});
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const keys = useQuery({
    queryKey: ['keys', filters, pages.cursor],
    queryFn: () => client.apiKeys.list({ ...filters, cursor: pages.cursor, limit: 20 }),
    placeholderData: keepPreviousData,
  });

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const status = String(form.get('status') ?? '');
    const days = String(form.get('unused') ?? '');
    setFilters({
      status: status ? (status as KeyStatus) : undefined,
      unused_for_days: days ? Number(days) : undefined,
    });
    pages.reset();
  };
  const filtered = filters.status !== undefined || filters.unused_for_days !== undefined;

  return (
    <>
      <PageHeading
        title="API keys"
        actions={
          canCreateKeys(me) ? (
            <button type="button" className="button" onClick={() => setCreating(true)}>
              Create key
            </button>
          ) : null
        }
      >
        <p className="lede">Keys of {me.organization.name}, newest first.</p>
      </PageHeading>

      <form className="filters" onSubmit={applyFilters} aria-label="Filter keys">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" name="status" defaultValue="">
            <option value="">Any status</option>
            {KEY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-unused">Unused for at least (days)</label>
          <input id="filter-unused" name="unused" type="number" min={1} max={3650} placeholder="e.g. 30" />
        </div>
        <button type="submit" className="button secondary">
          Apply filters
        </button>
      </form>

      <ErrorMessage error={keys.error} />
      {keys.isPending ? <Loading what="keys" /> : null}
      {keys.data && keys.data.data.length === 0 ? (
        <Empty>
          {filtered ? (
            <p>No keys match these filters.</p>
          ) : (
            <p>No API keys yet.{canCreateKeys(me) ? ' Create one to call the API from your code.' : ''}</p>
          )}
        </Empty>
      ) : null}
      {keys.data && keys.data.data.length > 0 ? <KeyTable keys={keys.data.data} /> : null}
      <Pager
        label="Keys"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={keys.data?.next_cursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      {creating ? <CreateKeyDialog onClose={() => setCreating(false)} /> : null}
    </>
  );
}

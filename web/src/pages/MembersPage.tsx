import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { AddMemberForm } from '../components/AddMemberForm';
import { ErrorMessage } from '../components/ErrorMessage';
import { MemberRow } from '../components/MemberRow';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { Empty, Loading } from '../components/States';
import { useCursorPages } from '../lib/use-cursor-pages';
import { canManageMembers } from '../session/permissions';
import { useSignedIn } from '../session/SessionProvider';

export function MembersPage() {
  const { client, me } = useSignedIn();
  const pages = useCursorPages();
  const members = useQuery({
    queryKey: ['members', pages.cursor],
    queryFn: () => client.members.list({ cursor: pages.cursor, limit: 25 }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeading title="Members">
        <p className="lede">People of {me.organization.name} and their roles.</p>
      </PageHeading>
      <ErrorMessage error={members.error} />
      {members.isPending ? <Loading what="members" /> : null}
      {members.data && members.data.data.length === 0 ? (
        <Empty>
          <p>No members on this page.</p>
        </Empty>
      ) : null}
      {members.data && members.data.data.length > 0 ? (
        <table className="table" aria-label="Members">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              {canManageMembers(me) ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.data.data.map((member) => (
              <MemberRow key={`${member.user_id}-${member.role}`} member={member} />
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager
        label="Members"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={members.data?.next_cursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      {canManageMembers(me) ? <AddMemberForm /> : null}
    </>
  );
}

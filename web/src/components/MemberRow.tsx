import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Member, Role } from '../api/types';
import { formatDateTime } from '../lib/time';
import { assignableRoles, canManageMembers } from '../session/permissions';
import { useSignedIn } from '../session/SessionProvider';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorMessage } from './ErrorMessage';

/** One member: managers may change the role (Save) or remove them (after a confirmation). */
export function MemberRow({ member }: { member: Member }) {
  const { client, me } = useSignedIn();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(member.role);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState(false);
  const isMe = member.user_id === me.user.id;
  // Admins may not touch owners; owners may change anyone.
  const manageable = canManageMembers(me) && (me.role === 'owner' || member.role !== 'owner');

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await client.members.update(member.user_id, { role });
      await queryClient.invalidateQueries({ queryKey: ['members'] });
      if (isMe) await queryClient.invalidateQueries({ queryKey: ['me'] });
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  const remove = async () => {
    await client.members.remove(member.user_id);
    setRemoving(false);
    await queryClient.invalidateQueries({ queryKey: ['members'] });
  };

  return (
    <tr>
      <td data-label="Name">
        {member.name}
        {isMe ? <span className="muted"> (you)</span> : null}
      </td>
      <td data-label="Email">{member.email}</td>
      <td data-label="Role">
        {manageable ? (
          <div className="role-editor">
            <label htmlFor={`role-${member.user_id}`} className="visually-hidden">
              Role of {member.name}
            </label>
            <select id={`role-${member.user_id}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {assignableRoles(me).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            {role !== member.role ? (
              <button type="button" className="button small" disabled={saving} onClick={save}>
                {saving ? 'Saving…' : 'Save role'}
              </button>
            ) : null}
          </div>
        ) : (
          <span className="badge badge-role">{member.role}</span>
        )}
        <ErrorMessage error={error} />
      </td>
      <td data-label="Added">{formatDateTime(member.created_at)}</td>
      {canManageMembers(me) ? (
        <td data-label="Actions">
          {manageable ? (
            <button type="button" className="button danger small" onClick={() => setRemoving(true)} aria-label={`Remove ${member.name}`}>
              Remove
            </button>
          ) : null}
          {removing ? (
            <ConfirmDialog title={`Remove ${member.name}?`} confirmLabel="Remove member" danger onConfirm={remove} onClose={() => setRemoving(false)}>
              <p>
                {member.name}’s user account ({member.email}) is deleted and they are signed out at once.
              </p>
              <p>
                API keys they created are <strong>not</strong> revoked: they keep working until they expire or someone
                revokes them on the Keys page.
              </p>
            </ConfirmDialog>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import type { Role } from '../api/types';
import { assignableRoles } from '../session/permissions';
import { useSignedIn } from '../session/SessionProvider';
import { ErrorMessage } from './ErrorMessage';

/** Creates a user account in the organization with a role and a first password to pass on to them. */
export function AddMemberForm() {
  const { client, me } = useSignedIn();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setError(null);
    setAdded(null);
    try {
      const member = await client.members.add({
        name: String(form.get('name')),
        email: String(form.get('email')),
        password: String(form.get('password')),
        role: String(form.get('role')) as Role,
      });
      formElement.reset();
      setAdded(`${member.name} was added as ${member.role}.`);
      await queryClient.invalidateQueries({ queryKey: ['members'] });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="card" aria-labelledby="add-member-title">
      <h2 id="add-member-title">Add a member</h2>
      <form className="form grid-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="member-name">Name</label>
          <input id="member-name" name="name" required maxLength={100} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="member-email">Email</label>
          <input id="member-email" name="email" type="email" required maxLength={254} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="member-password">First password (8–72 characters)</label>
          <input id="member-password" name="password" type="password" required minLength={8} maxLength={72} autoComplete="new-password" />
        </div>
        <div className="field">
          <label htmlFor="member-role">Role</label>
          <select id="member-role" name="role" defaultValue="developer">
            {assignableRoles(me).map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <ErrorMessage error={error} />
        {added ? (
          <p className="success" role="status">
            {added}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Adding…' : 'Add member'}
          </button>
        </div>
      </form>
    </section>
  );
}

import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { anonymousClient } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSession } from '../session/SessionProvider';

export function RegisterPage() {
  useDocumentTitle('Create an organization');
  const { signIn } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    setPending(true);
    setError(null);
    try {
      signIn(
        await anonymousClient().auth.register({
          name: field('name'),
          email: field('email'),
          password: field('password'),
          organization_name: field('organization'),
        }),
      );
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="brand">Kaizen Studio</p>
        <h1>Create an organization</h1>
        <p className="hint">You become its owner and can invite others afterwards.</p>
        <form className="form" onSubmit={submit}>
          <div className="field">
            <label htmlFor="register-organization">Organization name</label>
            <input id="register-organization" name="organization" required maxLength={100} autoComplete="organization" />
          </div>
          <div className="field">
            <label htmlFor="register-name">Your name</label>
            <input id="register-name" name="name" required maxLength={100} autoComplete="name" />
          </div>
          <div className="field">
            <label htmlFor="register-email">Email</label>
            <input id="register-email" name="email" type="email" required autoComplete="email" />
          </div>
          <div className="field">
            <label htmlFor="register-password">Password (8–72 characters)</label>
            <input id="register-password" name="password" type="password" required minLength={8} maxLength={72} autoComplete="new-password" />
          </div>
          <ErrorMessage error={error} />
          <button type="submit" className="button wide" disabled={pending}>
            {pending ? 'Creating…' : 'Create organization'}
          </button>
        </form>
        <p className="switch">
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      </div>
    </main>
  );
}

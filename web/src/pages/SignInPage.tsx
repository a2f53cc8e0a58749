import { FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { anonymousClient } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSession } from '../session/SessionProvider';

export function SignInPage() {
  useDocumentTitle('Sign in');
  const { signIn, notice } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      signIn(await anonymousClient().auth.login({ email: String(form.get('email')), password: String(form.get('password')) }));
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="brand">Kaizen Studio</p>
        <h1>Sign in</h1>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <form className="form" onSubmit={submit}>
          <div className="field">
            <label htmlFor="signin-email">Email</label>
            <input id="signin-email" name="email" type="email" autoComplete="username" required />
          </div>
          <div className="field">
            <label htmlFor="signin-password">Password</label>
            <input id="signin-password" name="password" type="password" autoComplete="current-password" required />
          </div>
          <ErrorMessage error={error} />
          <button type="submit" className="button wide" disabled={pending}>
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="switch">
          New here? <Link href="/register">Create an organization</Link>
        </p>
      </div>
    </main>
  );
}

import { Redirect, Route, Switch } from 'wouter';
import { AppShell } from './components/AppShell';
import { ErrorMessage } from './components/ErrorMessage';
import { Loading } from './components/States';
import { AuditPage } from './pages/AuditPage';
import { KeyDetailPage } from './pages/KeyDetailPage';
import { KeysPage } from './pages/KeysPage';
import { MembersPage } from './pages/MembersPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrganizationPage } from './pages/OrganizationPage';
import { RegisterPage } from './pages/RegisterPage';
import { SignInPage } from './pages/SignInPage';
import { canReadAudit } from './session/permissions';
import { useSession } from './session/SessionProvider';

/** Signed out: sign-in and register only. Signed in: the console pages this role may open. */
export function App() {
  const { client, me, meError, signOut } = useSession();
  if (!client) {
    return (
      <Switch>
        <Route path="/register" component={RegisterPage} />
        <Route path="/sign-in" component={SignInPage} />
        <Route>
          <Redirect to="/sign-in" replace />
        </Route>
      </Switch>
    );
  }
  if (!me) {
    return (
      <main id="main" className="content">
        {meError ? (
          <>
            <ErrorMessage error={meError} />
            <button type="button" className="button" onClick={() => signOut()}>
              Sign in again
            </button>
          </>
        ) : (
          <Loading what="your account" />
        )}
      </main>
    );
  }
  return (
    <AppShell>
      <Switch>
        <Route path="/">
          <Redirect to="/keys" replace />
        </Route>
        <Route path="/sign-in">
          <Redirect to="/keys" replace />
        </Route>
        <Route path="/register">
          <Redirect to="/keys" replace />
        </Route>
        <Route path="/keys" component={KeysPage} />
        <Route path="/keys/:id" component={KeyDetailPage} />
        {canReadAudit(me) ? <Route path="/audit" component={AuditPage} /> : null}
        <Route path="/members" component={MembersPage} />
        <Route path="/organization" component={OrganizationPage} />
        <Route component={NotFoundPage} />
      </Switch>
    </AppShell>
  );
}

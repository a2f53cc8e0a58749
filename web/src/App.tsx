import { lazy, Suspense } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { AppShell } from './components/AppShell';
import { ErrorMessage } from './components/ErrorMessage';
import { Loading } from './components/States';
import { AuditPage } from './pages/AuditPage';
import { KeysPage } from './pages/KeysPage';
import { MembersPage } from './pages/MembersPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrganizationPage } from './pages/OrganizationPage';
import { RegisterPage } from './pages/RegisterPage';
import { SignInPage } from './pages/SignInPage';
import { canManageWebhooks, canReadAudit } from './session/permissions';
import { useSession } from './session/SessionProvider';

// Loaded when first opened, so the first page's JavaScript stays small (the 150 kB gzipped budget).
const KeyDetailPage = lazy(() => import('./pages/KeyDetailPage'));
const WebhooksPage = lazy(() => import('./pages/WebhooksPage'));
const WebhookDetailPage = lazy(() => import('./pages/WebhookDetailPage'));

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
      <Suspense fallback={<Loading what="the page" />}>
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
        {canManageWebhooks(me) ? <Route path="/webhooks" component={WebhooksPage} /> : null}
        {canManageWebhooks(me) ? <Route path="/webhooks/:id" component={WebhookDetailPage} /> : null}
        <Route path="/members" component={MembersPage} />
        <Route path="/organization" component={OrganizationPage} />
        <Route component={NotFoundPage} />
      </Switch>
      </Suspense>
    </AppShell>
  );
}

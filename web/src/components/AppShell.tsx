import { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { canManageWebhooks, canReadAudit } from '../session/permissions';
import { useSignedIn, useSession } from '../session/SessionProvider';

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [exact] = useRoute(href);
  const [nested] = useRoute(`${href}/*`);
  const active = exact || nested;
  return (
    <Link href={href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

/** Header with the organization, the pages this role may open, the user and Sign out; the page below. */
export function AppShell({ children }: { children: ReactNode }) {
  const { me } = useSignedIn();
  const { signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/keys" className="brand-link">
            <span className="logo" aria-hidden="true">
              K
            </span>
            <span>
              Kaizen Studio <span className="org-name">{me.organization.name}</span>
            </span>
          </Link>
          <nav aria-label="Console" className="nav">
            <NavLink href="/keys">Keys</NavLink>
            {canReadAudit(me) ? <NavLink href="/audit">Audit log</NavLink> : null}
            {canManageWebhooks(me) ? <NavLink href="/webhooks">Webhooks</NavLink> : null}
            <NavLink href="/members">Members</NavLink>
            <NavLink href="/organization">Organization</NavLink>
          </nav>
          <div className="user">
            <span className="user-name">
              {me.user.name} <span className="badge badge-role">{me.role}</span>
            </span>
            <button type="button" className="button secondary small" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { KaizenClient } from '@sdk';
import { userClient } from '../api/client';
import type { Me, Session } from '../api/types';
import { clearToken, loadToken, saveToken, StoredToken } from './token-store';

interface SessionState {
  /** The signed-in user's client, or null when signed out. */
  client: KaizenClient | null;
  /** Who is signed in, their organization and role (GET /auth/me); undefined while loading. */
  me: Me | undefined;
  meError: unknown;
  /** Why the last session ended, shown on the sign-in page. */
  notice: string | null;
  signIn: (session: Session) => void;
  signOut: (notice?: string) => void;
}

const SessionContext = createContext<SessionState | null>(null);

export const EXPIRED_NOTICE = 'Your session has expired. Sign in again to continue.';

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<StoredToken | null>(loadToken);
  const [notice, setNotice] = useState<string | null>(null);
  // The 401 handler is created with the client; a ref lets it reach the current signOut.
  const signOutRef = useRef<(notice?: string) => void>(() => undefined);

  const signOut = useCallback(
    (why?: string) => {
      clearToken();
      setToken(null);
      setNotice(why ?? null);
      // Nothing the previous user could read stays in memory for the next one.
      queryClient.clear();
    },
    [queryClient],
  );
  signOutRef.current = signOut;

  const signIn = useCallback(
    (session: Session) => {
      queryClient.clear();
      const next = { accessToken: session.access_token, expiresAt: Date.now() + session.expires_in * 1000 };
      saveToken(next);
      setNotice(null);
      setToken(next);
      queryClient.setQueryData(['me'], { user: session.user, organization: session.organization, role: session.role });
    },
    [queryClient],
  );

  const client = useMemo(
    () => (token ? userClient(token.accessToken, () => signOutRef.current(EXPIRED_NOTICE)) : null),
    [token],
  );

  // The token's own lifetime: when it runs out, back to sign-in rather than a page of errors.
  useEffect(() => {
    if (!token) return;
    const timer = window.setTimeout(() => signOut(EXPIRED_NOTICE), Math.max(0, token.expiresAt - Date.now()));
    return () => window.clearTimeout(timer);
  }, [token, signOut]);

  const meQuery = useQuery({
    queryKey: ['me'],
    queryFn: () => client!.auth.me(),
    enabled: client !== null,
    staleTime: 60_000,
  });

  const value = useMemo<SessionState>(
    () => ({ client, me: client ? meQuery.data : undefined, meError: meQuery.error, notice, signIn, signOut }),
    [client, meQuery.data, meQuery.error, notice, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** For pages behind sign-in: the client and user, which the app shell guarantees are there. */
export function useSignedIn(): { client: KaizenClient; me: Me } {
  const { client, me } = useSession();
  if (!client || !me) throw new Error('useSignedIn on a page shown while signed out');
  return { client, me };
}

// The access token lives in sessionStorage (this tab only, gone when it closes), never localStorage.
const STORAGE_KEY = 'kaizen.session';

export interface StoredToken {
  accessToken: string;
  /** Epoch milliseconds after which the API will refuse the token. */
  expiresAt: number;
}

export function loadToken(): StoredToken | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as StoredToken | null;
    if (!parsed || typeof parsed.accessToken !== 'string' || typeof parsed.expiresAt !== 'number') return null;
    return parsed.expiresAt > Date.now() ? parsed : null;
  } catch {
    return null;
  }
}

export function saveToken(token: StoredToken): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(token));
}

export function clearToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

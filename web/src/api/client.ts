import { KaizenApiError, KaizenClient } from '@sdk';

/** A client for the routes anyone may call (sign in, register). */
export function anonymousClient(): KaizenClient {
  return new KaizenClient({ baseUrl: window.location.origin });
}

/**
 * A client acting as the signed-in user. Any 401 means the token expired or the user was removed, so
 * `onUnauthorized` ends the session (the caller still gets the error to show).
 */
export function userClient(accessToken: string, onUnauthorized: () => void): KaizenClient {
  return new KaizenClient({
    baseUrl: window.location.origin,
    accessToken,
    fetch: async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
}

/** The API's own message for an error (`{ message }`), or the browser's for a network failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof KaizenApiError) return error.message;
  if (error instanceof TypeError) return `The server could not be reached (${error.message}).`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isClientError(error: unknown): boolean {
  return error instanceof KaizenApiError && error.status >= 400 && error.status < 500;
}

/**
 * Whether an API error is about a given field (its message names it, as the API's validation messages do),
 * so a form can show it beside that field rather than at the bottom.
 */
export function isErrorAbout(error: unknown, field: string): boolean {
  return error instanceof KaizenApiError && error.status === 400 && error.message.includes(field);
}

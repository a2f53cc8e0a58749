import type { ExecutionContext } from '@nestjs/common';

/**
 * The seam between the global guard and the API-key feature: the guard knows that a request carries
 * an `sk_live_` key, and hands it here; how a key is verified, limited and counted is not its business.
 * The API-key module provides it; app.module.ts wires the two together, so auth/ never imports api-keys/.
 */
export interface ApiKeyAuthenticator {
  /** Verifies the key, sets `request.principal`, applies the route's policy; throws the HTTP error otherwise. */
  admit(ctx: ExecutionContext, plainKey: string): Promise<boolean>;
}

export const API_KEY_AUTHENTICATOR = Symbol('ApiKeyAuthenticator');

import { Role } from '../organizations/role';
import { Scope } from './scopes';

/** A signed-in user, acting in the organization of their membership. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  organizationId: string;
  role: Role;
  scopes: Scope[];
}

/** A service account or integration presenting an API key. */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  organizationId: string;
  scopes: Scope[];
  /** Requests per 60-second window. */
  rateLimit: number;
  createdBy: string;
  /** The key's metadata (a JSON object set at creation or by PATCH), read-only. */
  metadata: Readonly<Record<string, unknown>>;
}

/** Who is calling: set on the request by the global guard before any controller runs. */
export type Principal = UserPrincipal | ApiKeyPrincipal;

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

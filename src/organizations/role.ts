import { ALL_SCOPES, READ_SCOPES, Scope } from '../auth/scopes';

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Owners, admins and developers hold every resource scope; viewers hold the read scopes. */
export function scopesOfRole(role: Role): Scope[] {
  return role === 'viewer' ? READ_SCOPES : ALL_SCOPES;
}

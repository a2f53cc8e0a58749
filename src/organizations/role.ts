import { ALL_SCOPES, grants, READ_SCOPES, Scope } from '../auth/scopes';

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may create, rotate and hold API keys. */
export const KEY_HOLDER_ROLES: readonly Role[] = ['owner', 'admin', 'developer'];

/** Owners, admins and developers hold every resource scope; viewers hold the read scopes. */
export function scopesOfRole(role: Role): Scope[] {
  return role === 'viewer' ? READ_SCOPES : ALL_SCOPES;
}

/**
 * The part of a key's scopes that its holder's role allows now: a scope the role grants stays, a
 * `x:write` the role does not grant shrinks to `x:read` when the role grants that, anything else goes.
 * Returns `scopes` itself when nothing is cut (the common case costs no allocation).
 */
export function capScopes(scopes: Scope[], role: Role): Scope[] {
  const allowed = scopesOfRole(role);
  if (scopes.every((scope) => grants(allowed, scope))) return scopes;
  const capped = new Set<Scope>();
  for (const scope of scopes) {
    if (grants(allowed, scope)) capped.add(scope);
    else if (scope.endsWith(':write')) {
      const read = `${scope.slice(0, -':write'.length)}:read` as Scope;
      if (grants(allowed, read)) capped.add(read);
    }
  }
  return [...capped];
}

import type { ApiKey, Me, Role } from '../api/types';

// Mirrors the API's rules (x-required-roles in the OpenAPI document) so nobody sees a button that
// can only fail; the API still decides.
const MANAGERS: Role[] = ['owner', 'admin'];

export const canCreateKeys = (me: Me) => me.role !== 'viewer';
/** Owners and admins change any key; developers only the keys they created. */
export const canChangeKey = (me: Me, key: ApiKey) =>
  MANAGERS.includes(me.role) || (me.role === 'developer' && key.created_by === me.user.id);
export const canReadAudit = (me: Me) => MANAGERS.includes(me.role);
export const canManageMembers = (me: Me) => MANAGERS.includes(me.role);
export const canRenameOrganization = (me: Me) => MANAGERS.includes(me.role);
/** Only an owner may make someone an owner or change an owner. */
export const assignableRoles = (me: Me): Role[] =>
  me.role === 'owner' ? ['owner', 'admin', 'developer', 'viewer'] : ['admin', 'developer', 'viewer'];
/** Webhook endpoints and the key policy are the organization's settings: owners and admins. */
export const canManageWebhooks = (me: Me) => MANAGERS.includes(me.role);
export const canManageKeyPolicy = (me: Me) => MANAGERS.includes(me.role);

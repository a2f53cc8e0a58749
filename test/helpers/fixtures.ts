import { withChecksum } from '../../src/api-keys/verification/key-format';
import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/organizations/role';
import type { TestApp } from './test-app';

export interface Account {
  token: string;
  userId: string;
  organizationId: string;
  email: string;
  password: string;
}

export const PASSWORD = 'correct-horse-9';

/** Registers a new organization; its first user is the owner. Unique per call. */
export async function registerOrg(t: TestApp, name = 'Acme'): Promise<Account> {
  const email = `owner-${randomUUID()}@example.com`;
  const res = await t
    .api()
    .post('/api/v1/auth/register')
    .send({ email, password: PASSWORD, name: 'Owner', organization_name: name })
    .expect(201);
  return {
    token: res.body.access_token,
    userId: res.body.user.id,
    organizationId: res.body.organization.id,
    email,
    password: PASSWORD,
  };
}

/** Adds a member with `role` to the owner's organization and logs them in. */
export async function addMember(t: TestApp, owner: Account, role: Role): Promise<Account> {
  const email = `${role}-${randomUUID()}@example.com`;
  const added = await t
    .api()
    .post('/api/v1/organizations/current/members')
    .set('Authorization', `Bearer ${owner.token}`)
    .send({ email, password: PASSWORD, name: `A ${role}`, role })
    .expect(201);
  const login = await t.api().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
  return {
    token: login.body.access_token,
    userId: added.body.user_id,
    organizationId: owner.organizationId,
    email,
    password: PASSWORD,
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface CreatedKey {
  id: string;
  key: string;
  key_prefix: string;
}

/** Creates an API key as `user` (default: agents:read, deployments:write, rate_limit 100). */
export async function createKey(
  t: TestApp,
  user: Account,
  body: Record<string, unknown> = {},
): Promise<CreatedKey> {
  const res = await t
    .api()
    .post('/api/v1/api-keys')
    .set(bearer(user.token))
    .send({ name: 'CI/CD Pipeline', scopes: ['agents:read', 'deployments:write'], ...body })
    .expect(201);
  return res.body;
}

/**
 * A well-formed key with a valid checksum for `keyPrefix` (`sk_live_<8>`) whose secret is `filler`
 * (padded to 26 characters): a wrong secret that passes the checksum, as a guesser who read the
 * README would send, so it reaches the caches, the verifiers and bcrypt. A key whose checksum
 * fails never gets that far.
 */
export function forgeKey(keyPrefix: string, filler: string, pad = 'Z'): string {
  return withChecksum(`${keyPrefix}_${filler.padStart(26, pad).slice(-26)}`);
}

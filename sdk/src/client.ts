import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema';
import { KaizenApiError } from './errors';

export interface KaizenClientOptions {
  /** An `sk_live_...` API key, sent as `X-API-Key`. */
  apiKey?: string;
  /** A user's access token (from `auth.login`/`auth.register`), sent as `Authorization: Bearer`. */
  accessToken?: string;
  /** The server's origin; default `http://localhost:3000`. */
  baseUrl?: string;
  /** A fetch implementation to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
}

// Request shapes, looked up in the generated schema by route so they cannot drift from it.
type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? Q : never;
type Body<P extends keyof paths, M extends 'post' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

// What every openapi-fetch call resolves to.
interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns a call's response body, or throws `KaizenApiError` when the status is not 2xx. */
async function send<T>(call: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw KaizenApiError.fromResponse(response, error);
  return data as T;
}

/** As `send`, for routes that answer 204 No Content. */
async function done(call: Promise<Outcome<unknown>>): Promise<void> {
  await send(call);
}

const byId = (id: string) => ({ params: { path: { id } } });
const byUserId = (userId: string) => ({ params: { path: { user_id: userId } } });

/**
 * Typed client for the Kaizen Studio API. Every method resolves to the response body described by the
 * server's OpenAPI document (sdk/generated/schema.d.ts) and throws `KaizenApiError` on a non-2xx status.
 */
export class KaizenClient {
  /** The underlying openapi-fetch client (typed, but errors are returned, not thrown), for other routes. */
  readonly http: Client<paths>;

  constructor(options: KaizenClientOptions = {}) {
    const headers: Record<string, string> = {};
    if (options.apiKey) headers['X-API-Key'] = options.apiKey;
    if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
    this.http = createClient<paths>({
      baseUrl: options.baseUrl ?? 'http://localhost:3000',
      headers,
      fetch: options.fetch,
    });
  }

  /** Sign-up and log-in; both return a session whose `access_token` is a user's bearer token. */
  readonly auth = {
    register: (body: Body<'/api/v1/auth/register', 'post'>) => send(this.http.POST('/api/v1/auth/register', { body })),
    login: (body: Body<'/api/v1/auth/login', 'post'>) => send(this.http.POST('/api/v1/auth/login', { body })),
    me: () => send(this.http.GET('/api/v1/auth/me')),
  };

  readonly agents = {
    list: (query?: Query<'/api/v1/agents'>) => send(this.http.GET('/api/v1/agents', { params: { query } })),
    get: (id: string) => send(this.http.GET('/api/v1/agents/{id}', byId(id))),
    create: (body: Body<'/api/v1/agents', 'post'>) => send(this.http.POST('/api/v1/agents', { body })),
    update: (id: string, body: Body<'/api/v1/agents/{id}', 'patch'>) =>
      send(this.http.PATCH('/api/v1/agents/{id}', { ...byId(id), body })),
    delete: (id: string) => done(this.http.DELETE('/api/v1/agents/{id}', byId(id))),
  };

  readonly deployments = {
    list: (query?: Query<'/api/v1/deployments'>) => send(this.http.GET('/api/v1/deployments', { params: { query } })),
    get: (id: string) => send(this.http.GET('/api/v1/deployments/{id}', byId(id))),
    create: (body: Body<'/api/v1/deployments', 'post'>) => send(this.http.POST('/api/v1/deployments', { body })),
    update: (id: string, body: Body<'/api/v1/deployments/{id}', 'patch'>) =>
      send(this.http.PATCH('/api/v1/deployments/{id}', { ...byId(id), body })),
    delete: (id: string) => done(this.http.DELETE('/api/v1/deployments/{id}', byId(id))),
  };

  readonly pipelines = {
    list: (query?: Query<'/api/v1/pipelines'>) => send(this.http.GET('/api/v1/pipelines', { params: { query } })),
    get: (id: string) => send(this.http.GET('/api/v1/pipelines/{id}', byId(id))),
    create: (body: Body<'/api/v1/pipelines', 'post'>) => send(this.http.POST('/api/v1/pipelines', { body })),
    update: (id: string, body: Body<'/api/v1/pipelines/{id}', 'patch'>) =>
      send(this.http.PATCH('/api/v1/pipelines/{id}', { ...byId(id), body })),
    delete: (id: string) => done(this.http.DELETE('/api/v1/pipelines/{id}', byId(id))),
  };

  readonly gateways = {
    list: (query?: Query<'/api/v1/gateways'>) => send(this.http.GET('/api/v1/gateways', { params: { query } })),
    get: (id: string) => send(this.http.GET('/api/v1/gateways/{id}', byId(id))),
    create: (body: Body<'/api/v1/gateways', 'post'>) => send(this.http.POST('/api/v1/gateways', { body })),
    update: (id: string, body: Body<'/api/v1/gateways/{id}', 'patch'>) =>
      send(this.http.PATCH('/api/v1/gateways/{id}', { ...byId(id), body })),
    delete: (id: string) => done(this.http.DELETE('/api/v1/gateways/{id}', byId(id))),
  };

  readonly metrics = {
    get: () => send(this.http.GET('/api/v1/metrics')),
  };

  /** The caller's organization (user token only; renaming needs the owner or admin role). */
  readonly organizations = {
    get: () => send(this.http.GET('/api/v1/organizations/current')),
    update: (body: Body<'/api/v1/organizations/current', 'patch'>) =>
      send(this.http.PATCH('/api/v1/organizations/current', { body })),
  };

  /** The organization's members (user token only; changes need the owner or admin role). */
  readonly members = {
    list: (query?: Query<'/api/v1/organizations/current/members'>) =>
      send(this.http.GET('/api/v1/organizations/current/members', { params: { query } })),
    /** Creates the user account and adds it with the given role. */
    add: (body: Body<'/api/v1/organizations/current/members', 'post'>) =>
      send(this.http.POST('/api/v1/organizations/current/members', { body })),
    update: (userId: string, body: Body<'/api/v1/organizations/current/members/{user_id}', 'patch'>) =>
      send(this.http.PATCH('/api/v1/organizations/current/members/{user_id}', { ...byUserId(userId), body })),
    /** Removes the member and deletes their user account. */
    remove: (userId: string) => done(this.http.DELETE('/api/v1/organizations/current/members/{user_id}', byUserId(userId))),
  };

  /** Who created, rotated and revoked keys and changed members (user token; owner or admin). */
  readonly auditLogs = {
    list: (query?: Query<'/api/v1/audit-logs'>) => send(this.http.GET('/api/v1/audit-logs', { params: { query } })),
  };

  /** Managing API keys needs a user's access token (an API key cannot manage keys). */
  readonly apiKeys = {
    scopes: () => send(this.http.GET('/api/v1/api-keys/scopes')),
    create: (body: Body<'/api/v1/api-keys', 'post'>) => send(this.http.POST('/api/v1/api-keys', { body })),
    list: (query?: Query<'/api/v1/api-keys'>) => send(this.http.GET('/api/v1/api-keys', { params: { query } })),
    get: (id: string) => send(this.http.GET('/api/v1/api-keys/{id}', byId(id))),
    revoke: (id: string) => done(this.http.DELETE('/api/v1/api-keys/{id}', byId(id))),
    usage: (id: string) => send(this.http.GET('/api/v1/api-keys/{id}/usage', byId(id))),
    usageHistory: (id: string, query?: Query<'/api/v1/api-keys/{id}/usage/history'>) =>
      send(this.http.GET('/api/v1/api-keys/{id}/usage/history', { params: { path: { id }, query } })),
    /** Issues a replacement key; the old one keeps working for the grace period (default 24 h). */
    rotate: (id: string, body: Body<'/api/v1/api-keys/{id}/rotate', 'post'> = {}) =>
      send(this.http.POST('/api/v1/api-keys/{id}/rotate', { ...byId(id), body })),
  };
}

import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema';
import { KaizenApiError } from './errors';
import { paginate } from './pagination';
import { DEFAULT_MAX_RETRY_AFTER_S, DEFAULT_TIMEOUT_MS, type RequestOptions, type TransportSettings, transportFor } from './transport';

export interface KaizenClientOptions {
  /** An `sk_live_...` API key, sent as `X-API-Key`; default: the `KAIZEN_API_KEY` environment variable. */
  apiKey?: string;
  /** A user's access token (from `auth.login`/`auth.register`), sent as `Authorization: Bearer`. */
  accessToken?: string;
  /** The server's origin; default: `KAIZEN_BASE_URL`, else `http://localhost:3000`. */
  baseUrl?: string;
  /** A fetch implementation to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /** Retries of an idempotent call (GET, DELETE) answered 429 or 503, after `Retry-After`; default 0. */
  maxRetries?: number;
  /** Milliseconds one attempt may take before it fails with `KaizenTimeoutError`; default 60 000. */
  timeout?: number;
  /** Longest `Retry-After` (seconds) a retry waits for; a longer one is thrown at once. Default 60. */
  maxRetryAfter?: number;
}

export type { RequestOptions } from './transport';

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

/** An environment variable where there is a `process` (Node); browsers have none. */
function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === '' ? undefined : value;
}

/**
 * Typed client for the Kaizen Studio API. Every method resolves to the response body described by the
 * server's OpenAPI document (sdk/generated/schema.d.ts) and throws `KaizenApiError` on a non-2xx status.
 * Every method takes `RequestOptions` (`maxRetries`, `timeout`, `signal`) as its last argument.
 */
export class KaizenClient {
  /** The underlying openapi-fetch client (typed, but errors are returned, not thrown), for other routes. */
  readonly http: Client<paths>;
  private readonly settings: TransportSettings;

  constructor(options: KaizenClientOptions = {}) {
    const headers: Record<string, string> = {};
    const apiKey = options.apiKey ?? (options.accessToken ? undefined : env('KAIZEN_API_KEY'));
    if (apiKey) headers['X-API-Key'] = apiKey;
    if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
    this.settings = {
      // Looked up at call time, so a fetch replaced after construction (e.g. by a test) is used.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      maxRetries: options.maxRetries ?? 0,
      timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
      maxRetryAfter: options.maxRetryAfter ?? DEFAULT_MAX_RETRY_AFTER_S,
    };
    this.http = createClient<paths>({
      baseUrl: options.baseUrl ?? env('KAIZEN_BASE_URL') ?? 'http://localhost:3000',
      headers,
      fetch: transportFor(this.settings),
    });
  }

  /** openapi-fetch options that send one call with its retries and timeout. */
  private via(options: RequestOptions | undefined) {
    return { fetch: transportFor(this.settings, options) };
  }

  /** Sign-up and log-in; both return a session whose `access_token` is a user's bearer token. */
  readonly auth = {
    register: (body: Body<'/api/v1/auth/register', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/auth/register', { body, ...this.via(options) })),
    login: (body: Body<'/api/v1/auth/login', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/auth/login', { body, ...this.via(options) })),
    me: (options?: RequestOptions) => send(this.http.GET('/api/v1/auth/me', this.via(options))),
  };

  readonly agents = {
    list: (query?: Query<'/api/v1/agents'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/agents', { params: { query }, ...this.via(options) })),
    /** Every agent, newest first, fetching further pages as the loop reaches them. */
    listAll: (query?: Query<'/api/v1/agents'>, options?: RequestOptions) =>
      paginate((cursor) => this.agents.list({ ...query, cursor }, options)),
    get: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/agents/{id}', { params: { path: { id } }, ...this.via(options) })),
    create: (body: Body<'/api/v1/agents', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/agents', { body, ...this.via(options) })),
    update: (id: string, body: Body<'/api/v1/agents/{id}', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/agents/{id}', { params: { path: { id } }, body, ...this.via(options) })),
    delete: (id: string, options?: RequestOptions) =>
      done(this.http.DELETE('/api/v1/agents/{id}', { params: { path: { id } }, ...this.via(options) })),
  };

  readonly deployments = {
    list: (query?: Query<'/api/v1/deployments'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/deployments', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/deployments'>, options?: RequestOptions) =>
      paginate((cursor) => this.deployments.list({ ...query, cursor }, options)),
    get: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/deployments/{id}', { params: { path: { id } }, ...this.via(options) })),
    create: (body: Body<'/api/v1/deployments', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/deployments', { body, ...this.via(options) })),
    update: (id: string, body: Body<'/api/v1/deployments/{id}', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/deployments/{id}', { params: { path: { id } }, body, ...this.via(options) })),
    delete: (id: string, options?: RequestOptions) =>
      done(this.http.DELETE('/api/v1/deployments/{id}', { params: { path: { id } }, ...this.via(options) })),
  };

  readonly pipelines = {
    list: (query?: Query<'/api/v1/pipelines'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/pipelines', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/pipelines'>, options?: RequestOptions) =>
      paginate((cursor) => this.pipelines.list({ ...query, cursor }, options)),
    get: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/pipelines/{id}', { params: { path: { id } }, ...this.via(options) })),
    create: (body: Body<'/api/v1/pipelines', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/pipelines', { body, ...this.via(options) })),
    update: (id: string, body: Body<'/api/v1/pipelines/{id}', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/pipelines/{id}', { params: { path: { id } }, body, ...this.via(options) })),
    delete: (id: string, options?: RequestOptions) =>
      done(this.http.DELETE('/api/v1/pipelines/{id}', { params: { path: { id } }, ...this.via(options) })),
  };

  readonly gateways = {
    list: (query?: Query<'/api/v1/gateways'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/gateways', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/gateways'>, options?: RequestOptions) =>
      paginate((cursor) => this.gateways.list({ ...query, cursor }, options)),
    get: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/gateways/{id}', { params: { path: { id } }, ...this.via(options) })),
    create: (body: Body<'/api/v1/gateways', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/gateways', { body, ...this.via(options) })),
    update: (id: string, body: Body<'/api/v1/gateways/{id}', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/gateways/{id}', { params: { path: { id } }, body, ...this.via(options) })),
    delete: (id: string, options?: RequestOptions) =>
      done(this.http.DELETE('/api/v1/gateways/{id}', { params: { path: { id } }, ...this.via(options) })),
  };

  readonly metrics = {
    get: (options?: RequestOptions) => send(this.http.GET('/api/v1/metrics', this.via(options))),
  };

  /** The caller's organization (user token only; renaming needs the owner or admin role). */
  readonly organizations = {
    get: (options?: RequestOptions) => send(this.http.GET('/api/v1/organizations/current', this.via(options))),
    update: (body: Body<'/api/v1/organizations/current', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/organizations/current', { body, ...this.via(options) })),
  };

  /** The organization's members (user token only; changes need the owner or admin role). */
  readonly members = {
    list: (query?: Query<'/api/v1/organizations/current/members'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/organizations/current/members', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/organizations/current/members'>, options?: RequestOptions) =>
      paginate((cursor) => this.members.list({ ...query, cursor }, options)),
    /** Creates the user account and adds it with the given role. */
    add: (body: Body<'/api/v1/organizations/current/members', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/organizations/current/members', { body, ...this.via(options) })),
    update: (userId: string, body: Body<'/api/v1/organizations/current/members/{user_id}', 'patch'>, options?: RequestOptions) =>
      send(
        this.http.PATCH('/api/v1/organizations/current/members/{user_id}', {
          params: { path: { user_id: userId } },
          body,
          ...this.via(options),
        }),
      ),
    /** Removes the member and deletes their user account. */
    remove: (userId: string, options?: RequestOptions) =>
      done(
        this.http.DELETE('/api/v1/organizations/current/members/{user_id}', {
          params: { path: { user_id: userId } },
          ...this.via(options),
        }),
      ),
  };

  /** Who created, rotated and revoked keys and changed members (user token; owner or admin). */
  readonly auditLogs = {
    list: (query?: Query<'/api/v1/audit-logs'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/audit-logs', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/audit-logs'>, options?: RequestOptions) =>
      paginate((cursor) => this.auditLogs.list({ ...query, cursor }, options)),
  };

  /** Managing API keys needs a user's access token (an API key cannot manage keys). */
  readonly apiKeys = {
    scopes: (options?: RequestOptions) => send(this.http.GET('/api/v1/api-keys/scopes', this.via(options))),
    create: (body: Body<'/api/v1/api-keys', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/api-keys', { body, ...this.via(options) })),
    list: (query?: Query<'/api/v1/api-keys'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/api-keys', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/api-keys'>, options?: RequestOptions) =>
      paginate((cursor) => this.apiKeys.list({ ...query, cursor }, options)),
    get: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/api-keys/{id}', { params: { path: { id } }, ...this.via(options) })),
    revoke: (id: string, options?: RequestOptions) =>
      done(this.http.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } }, ...this.via(options) })),
    usage: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/api-keys/{id}/usage', { params: { path: { id } }, ...this.via(options) })),
    usageHistory: (id: string, query?: Query<'/api/v1/api-keys/{id}/usage/history'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/api-keys/{id}/usage/history', { params: { path: { id }, query }, ...this.via(options) })),
    /** Issues a replacement key; the old one keeps working for the grace period (default 24 h). */
    rotate: (id: string, body: Body<'/api/v1/api-keys/{id}/rotate', 'post'> = {}, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/api-keys/{id}/rotate', { params: { path: { id } }, body, ...this.via(options) })),
    /**
     * Changes any of `name`, `scopes`, `rate_limit`, `expires_at`, `ip_allowlist`, `metadata`, `enabled`
     * (at least one); resolves to the key as it now is. A revoked key cannot be changed (409).
     */
    update: (id: string, body: Body<'/api/v1/api-keys/{id}', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/api-keys/{id}', { params: { path: { id } }, body, ...this.via(options) })),
    /** Lets a disabled key authenticate again (`update(id, { enabled: true })`). */
    enable: (id: string, options?: RequestOptions) => this.apiKeys.update(id, { enabled: true }, options),
    /** Refuses the key with 401 "API key is disabled" until it is enabled again; unlike `revoke`, reversible. */
    disable: (id: string, options?: RequestOptions) => this.apiKeys.update(id, { enabled: false }, options),
  };

  /**
   * The organization's webhook endpoints (user token; owner or admin). `create` answers with the signing
   * `secret` (`whsec_...`) once; every delivery is signed with it per the Standard Webhooks specification.
   */
  readonly webhooks = {
    create: (body: Body<'/api/v1/webhooks', 'post'>, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/webhooks', { body, ...this.via(options) })),
    list: (query?: Query<'/api/v1/webhooks'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/webhooks', { params: { query }, ...this.via(options) })),
    listAll: (query?: Query<'/api/v1/webhooks'>, options?: RequestOptions) =>
      paginate((cursor) => this.webhooks.list({ ...query, cursor }, options)),
    get: (id: string, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/webhooks/{id}', { params: { path: { id } }, ...this.via(options) })),
    /** Changes any of `url`, `events`, `description`, `enabled`. */
    update: (id: string, body: Body<'/api/v1/webhooks/{id}', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/webhooks/{id}', { params: { path: { id } }, body, ...this.via(options) })),
    delete: (id: string, options?: RequestOptions) =>
      done(this.http.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } }, ...this.via(options) })),
    /** Replaces the signing secret at once; the new `secret` is in this answer only. */
    rotateSecret: (id: string, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/webhooks/{id}/rotate-secret', { params: { path: { id } }, ...this.via(options) })),
    /** Queues a `webhook.test` event for the endpoint; resolves to `{ delivery_id }` (202). */
    test: (id: string, options?: RequestOptions) =>
      send(this.http.POST('/api/v1/webhooks/{id}/test', { params: { path: { id } }, ...this.via(options) })),
    /** One page of the endpoint's delivery log, newest first. */
    deliveries: (id: string, query?: Query<'/api/v1/webhooks/{id}/deliveries'>, options?: RequestOptions) =>
      send(this.http.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query }, ...this.via(options) })),
    /** Sends a delivery's event again (202). */
    redeliver: (id: string, deliveryId: string, options?: RequestOptions) =>
      done(
        this.http.POST('/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver', {
          params: { path: { id, delivery_id: deliveryId } },
          ...this.via(options),
        }),
      ),
  };

  /** The organization's key policy (user token; owner or admin): rules every key's creation and change must meet. */
  readonly keyPolicy = {
    get: (options?: RequestOptions) => send(this.http.GET('/api/v1/organizations/current/key-policy', this.via(options))),
    /** Changes any of `require_expiry`, `max_lifetime_days`, `allowed_scopes`, `auto_revoke_unused_days`. */
    update: (body: Body<'/api/v1/organizations/current/key-policy', 'patch'>, options?: RequestOptions) =>
      send(this.http.PATCH('/api/v1/organizations/current/key-policy', { body, ...this.via(options) })),
  };
}

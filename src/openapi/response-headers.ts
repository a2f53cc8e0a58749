import type { OpenAPIObject } from '@nestjs/swagger';

type HeaderObject = NonNullable<NonNullable<OpenAPIObject['components']>['headers']>[string];

/** Who may call an operation, as its decorators say (@Public, @UsersOnly, @Scopes). */
export type Access = 'public' | 'users' | 'scoped';

/** What decides whether a response carries a header. */
export interface ResponseContext {
  status: number;
  access: Access;
}

interface ResponseHeader {
  header: HeaderObject;
  sentOn: (response: ResponseContext) => boolean;
}

const integer = (minimum: number) => ({ type: 'integer' as const, minimum });

/**
 * A key-authenticated request is counted (and answered with X-RateLimit-*) before the route's
 * policy is applied: on a users-only route it then gets only 403 (or 429); on a scoped route any
 * answer the handler or its validation gives. 401, 413, 415 and 503 come before the key is known.
 */
const KEY_COUNTED: Record<Exclude<Access, 'public'>, (status: number) => boolean> = {
  users: (status) => status === 403 || status === 429,
  scoped: (status) => status < 300 || [400, 403, 404, 409, 429].includes(status),
};
const keyCounted = ({ access, status }: ResponseContext) => access !== 'public' && KEY_COUNTED[access](status);

/**
 * Every response header the API sends, in one place: each becomes a `components.headers` entry,
 * referenced from every response that can carry it (see createOpenApiDocument). A new header
 * (say the IETF `RateLimit` / `RateLimit-Policy`) is one more entry here.
 */
export const RESPONSE_HEADERS: Record<string, ResponseHeader> = {
  'X-Request-Id': {
    header: {
      description:
        "The request's id, also in the service's logs: the client's own X-Request-Id when it is 1-128 " +
        'characters of `[A-Za-z0-9_.:-]`, else a new UUID.',
      schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$', example: '0f8e2a6c-3b1d-4c5e-9f7a-2b3c4d5e6f70' },
    },
    sentOn: () => true,
  },
  'WWW-Authenticate': {
    header: {
      description: 'The ways to authenticate: a bearer token (user token or API key) or the X-API-Key header.',
      schema: { type: 'string', example: 'Bearer realm="kaizen-studio", ApiKey header="X-API-Key"' },
    },
    sentOn: ({ status }) => status === 401,
  },
  'Retry-After': {
    header: { description: 'Seconds to wait before retrying.', schema: { ...integer(0), example: 42 } },
    // Health's 503 (database down) says nothing about when to come back; the key verifier's does.
    sentOn: ({ status, access }) => status === 429 || (status === 503 && access !== 'public'),
  },
  'X-RateLimit-Limit': {
    header: {
      description: "On every response to an API key's request: the key's rate_limit (requests per minute).",
      schema: { ...integer(1), example: 100 },
    },
    sentOn: keyCounted,
  },
  'X-RateLimit-Remaining': {
    header: {
      description: "On every response to an API key's request: requests left in the key's current window.",
      schema: { ...integer(0), example: 55 },
    },
    sentOn: keyCounted,
  },
  'X-RateLimit-Reset': {
    header: {
      description: "On every response to an API key's request: seconds until the key's window resets.",
      schema: { ...integer(0), example: 42 },
    },
    sentOn: keyCounted,
  },
  // The IETF pair (draft-ietf-httpapi-ratelimit-headers-10), Structured Field Lists saying what X-RateLimit-* say.
  'RateLimit-Policy': {
    header: {
      description:
        "On every response to an API key's request: the key's quota policy as the IETF draft " +
        'draft-ietf-httpapi-ratelimit-headers-10 defines it, a Structured Field List (RFC 9651) of one item: the policy ' +
        '`"default"` with `q` = the key\'s rate_limit and `w` = the window in seconds (60).',
      schema: { type: 'string', pattern: '^"default";q=\\d+;w=60$', example: '"default";q=100;w=60' },
    },
    sentOn: keyCounted,
  },
  RateLimit: {
    header: {
      description:
        "On every response to an API key's request: where the key stands in its window (IETF " +
        'draft-ietf-httpapi-ratelimit-headers-10), a Structured Field List of one item: the policy `"default"` with ' +
        '`r` = requests left (X-RateLimit-Remaining) and `t` = seconds until the window resets (X-RateLimit-Reset).',
      schema: { type: 'string', pattern: '^"default";r=\\d+;t=\\d+$', example: '"default";r=55;t=30' },
    },
    sentOn: keyCounted,
  },
};

/** The `components.headers` section: every header above, by name. */
export function headerComponents(): Record<string, HeaderObject> {
  return Object.fromEntries(Object.entries(RESPONSE_HEADERS).map(([name, { header }]) => [name, header]));
}

/** `$ref`s to the headers a response with this status, on an operation with this access, can carry. */
export function headersFor(response: ResponseContext): Record<string, { $ref: string }> {
  return Object.fromEntries(
    Object.entries(RESPONSE_HEADERS)
      .filter(([, { sentOn }]) => sentOn(response))
      .map(([name]) => [name, { $ref: `#/components/headers/${name}` }]),
  );
}

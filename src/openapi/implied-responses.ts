import { STATUS_CODES } from 'node:http';
import { DEFAULT_DESCRIPTIONS, ErrorStatus } from '../common/api-errors.decorator';
import { ErrorResponse } from '../common/error-response';
import { MAX_JSON_DEPTH } from '../common/json-depth.middleware';
import type { Access } from './response-headers';
import type { Operation } from './operations';

type Response = Operation['responses'][string];
type ResponseObject = Exclude<NonNullable<Response>, { $ref: string }>;

const ERROR_SCHEMA = { $ref: `#/components/schemas/${ErrorResponse.name}` };

/**
 * Answers the request pipeline gives before (or around) a route's own code, so no route lists them
 * itself: the body parser (every operation with a body), the credential check and the API-key
 * verification (every operation that needs a caller: any of them may be sent an API key).
 */
const IMPLIED: Array<{ status: ErrorStatus; when: (op: Operation, access: Access) => boolean; reason: string; message: string }> = [
  {
    status: 400,
    when: (op) => !!op.requestBody,
    reason: `the body is not valid JSON, or is nested more than ${MAX_JSON_DEPTH} levels deep`,
    message: 'Request body is not valid JSON',
  },
  {
    status: 400,
    when: (_op, access) => access !== 'public',
    reason: 'the Authorization and X-API-Key headers carry different credentials, or X-API-Key is sent twice (send one credential)',
    message: 'Send one credential: Authorization or X-API-Key, not both',
  },
  { status: 413, when: (op) => !!op.requestBody, reason: DEFAULT_DESCRIPTIONS[413], message: DEFAULT_DESCRIPTIONS[413] },
  {
    status: 415,
    when: (op) => !!op.requestBody,
    reason: DEFAULT_DESCRIPTIONS[415],
    message: 'Unsupported request body charset',
  },
  {
    status: 401,
    when: (_op, access) => access !== 'public',
    reason: 'Missing, malformed, unknown, expired or revoked credentials, or a disabled API key',
    message: 'Authentication required: send Authorization: Bearer <token> or X-API-Key',
  },
  {
    status: 403,
    when: (_op, access) => access !== 'public',
    reason: "An API key used from a client address outside its ip_allowlist",
    message: 'client address not allowed for this key',
  },
  {
    status: 429,
    when: (_op, access) => access !== 'public',
    reason:
      "The API key's rate limit is used up (see X-RateLimit-*), or this address sent too many invalid API keys " +
      'this minute (failed-key throttling)',
    message: 'Rate limit of 100 requests per minute exceeded for this API key; retry in 42 seconds',
  },
  {
    status: 503,
    when: (_op, access) => access !== 'public',
    reason:
      'Too many first-time API key verifications (bcrypt) are waiting, or too many requests of the caller\'s ' +
      'organization are waiting for its fair share of the service (ORG_FAIR_SHARE_QUEUE); retry after Retry-After seconds',
    message: 'Too many API key verifications in progress; retry shortly',
  },
];

/** Adds the implied answers to an operation, or extends the description of one it already lists. */
export function addImpliedResponses(operation: Operation, access: Access): void {
  for (const implied of IMPLIED) {
    if (!implied.when(operation, access)) continue;
    const existing = operation.responses[implied.status] as ResponseObject | undefined;
    if (!existing) {
      operation.responses[implied.status] = {
        description: implied.reason,
        content: { 'application/json': { schema: ERROR_SCHEMA, example: example(implied.status, implied.message) } },
      };
    } else if (!existing.description.toLowerCase().includes(implied.reason.toLowerCase())) {
      existing.description = `${existing.description}; or ${lowerFirst(implied.reason)}`;
    }
  }
}

/**
 * Every error answer has the one `{ statusCode, error, message }` body: HttpExceptionFilter writes
 * all of them (health's 503 included, whatever @nestjs/terminus declares), with an example.
 */
export function useErrorSchema(status: string, response: ResponseObject): void {
  if (Number(status) < 400) return;
  const json = response.content?.['application/json'];
  const message = json?.schema && '$ref' in json.schema && json.schema.$ref === ERROR_SCHEMA.$ref
    ? ((json.example as { message?: string } | undefined)?.message ?? response.description)
    : response.description;
  response.content = { 'application/json': { schema: ERROR_SCHEMA, example: example(Number(status), message) } };
}

function example(status: number, message: string) {
  return { statusCode: status, error: STATUS_CODES[status], message };
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

import { fullFormats } from 'ajv-formats/dist/formats';
import OpenAPIResponseValidator from 'openapi-response-validator';
import type { Response } from 'supertest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * Headers that belong to HTTP, CORS or browser security rather than to this API's contract; every
 * other header a response carries must be declared on that response in the document.
 */
const TRANSPORT_HEADERS = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'vary',
  'cache-control',
  'etag',
  'content-security-policy',
  'cross-origin-embedder-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]);

/** ajv-formats' check as a function: openapi-response-validator takes only functions as custom formats. */
function asFunction(format: unknown): (value: string) => boolean {
  if (format instanceof RegExp) return (value) => format.test(value);
  if (typeof format === 'function') return format as (value: string) => boolean;
  return asFunction((format as { validate: unknown }).validate);
}

/** The document's formats, checked for real (without them openapi-response-validator ignores formats). */
const FORMATS = Object.fromEntries(
  (['uuid', 'date-time', 'email', 'uri'] as const).map((name) => [name, asFunction(fullFormats[name])]),
);

interface OperationEntry {
  method: string;
  template: string;
  matcher: RegExp;
  op: Json;
  bodies: OpenAPIResponseValidator;
}

export interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * Checks recorded responses against the OpenAPI document: the operation exists, the status is
 * documented on it, the body validates against that status' schema (openapi-response-validator,
 * with real format checks), and every non-transport header is declared on that response with a
 * value its schema allows. Collects every violation, so a test can show them all at once.
 */
export class ContractChecker {
  private readonly operations: OperationEntry[] = [];
  readonly violations: string[] = [];
  /** How many responses were checked, by "METHOD template status". */
  readonly seen = new Map<string, number>();

  constructor(private readonly doc: Json) {
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method];
        const responses = Object.fromEntries(
          Object.entries(op.responses as Json).map(([status, response]) => [
            status,
            { schema: response.content?.['application/json']?.schema },
          ]),
        );
        this.operations.push({
          method,
          template,
          // Path parameters match one segment; the most specific template wins (see match()).
          matcher: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
          op,
          bodies: new OpenAPIResponseValidator({
            responses: responses as never,
            components: structuredClone(doc.components),
            customFormats: FORMATS as never,
          }),
        });
      }
    }
  }

  private match(method: string, path: string): OperationEntry | undefined {
    const candidates = this.operations.filter((o) => o.method === method && o.matcher.test(path));
    // A literal segment (/api-keys/scopes) beats a parameter (/api-keys/{id}).
    return candidates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
  }

  check(exchange: Exchange): void {
    const method = exchange.method.toLowerCase();
    const path = new URL(exchange.url, 'http://localhost').pathname;
    const entry = this.match(method, path);
    const where = `${method.toUpperCase()} ${path} -> ${exchange.status}`;
    if (!entry) {
      this.violations.push(`${where}: no such operation in the document`);
      return;
    }
    const key = `${method.toUpperCase()} ${entry.template} ${exchange.status}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    const response = entry.op.responses[String(exchange.status)];
    if (!response) {
      this.violations.push(`${where}: status not documented on ${method.toUpperCase()} ${entry.template}`);
      return;
    }
    if (response.content?.['application/json']) {
      const error = entry.bodies.validateResponse(String(exchange.status), exchange.body);
      if (error) this.violations.push(`${where}: body does not match the schema: ${JSON.stringify(error.errors)}`);
    } else if (exchange.body !== undefined && exchange.body !== '' && Object.keys(exchange.body as object).length) {
      this.violations.push(`${where}: a body was sent where the document declares none`);
    }
    this.checkHeaders(where, response.headers ?? {}, exchange.headers);
  }

  private checkHeaders(where: string, declared: Json, sent: Exchange['headers']): void {
    const byName = new Map(Object.entries(declared).map(([name, header]) => [name.toLowerCase(), this.resolve(header)]));
    for (const [name, value] of Object.entries(sent)) {
      if (TRANSPORT_HEADERS.has(name) || value === undefined) continue;
      const header = byName.get(name);
      if (!header) {
        this.violations.push(`${where}: header ${name} is sent but not declared`);
        continue;
      }
      const error = headerValueError(header.schema, String(value));
      if (error) this.violations.push(`${where}: header ${name}: ${error}`);
    }
  }

  private resolve(header: Json): Json {
    const ref: string | undefined = header.$ref;
    return ref ? this.doc.components.headers[ref.split('/').pop() as string] : header;
  }
}

const headerValidators = new Map<string, OpenAPIResponseValidator>();

/** A header's value against its schema: the same validator, on the value read as the schema's type. */
function headerValueError(schema: Json, raw: string): string | undefined {
  const value = schema.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  const id = JSON.stringify(schema);
  let validator = headerValidators.get(id);
  if (!validator) {
    validator = new OpenAPIResponseValidator({
      responses: { 200: { schema: { type: 'object', properties: { value: schema } } } } as never,
    });
    headerValidators.set(id, validator);
  }
  const error = validator.validateResponse('200', { value });
  return error ? `${JSON.stringify(raw)}: ${JSON.stringify(error.errors)}` : undefined;
}

/** A supertest response as an Exchange. */
export function exchangeOf(method: string, url: string, res: Response): Exchange {
  return { method, url, status: res.status, headers: res.headers as Exchange['headers'], body: res.body };
}

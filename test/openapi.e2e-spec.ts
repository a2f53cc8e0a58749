import SwaggerParser from '@apidevtools/swagger-parser';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { SCOPES_KEY } from '../src/auth/scopes';
import { IS_PUBLIC_KEY } from '../src/auth/public.decorator';
import { USERS_ONLY_KEY } from '../src/auth/users-only.decorator';
import { ROLES } from '../src/organizations/role';
import { startTestApp, TestApp } from './helpers/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Operation {
  method: string;
  path: string;
  op: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const RESOURCE_PATH = /^\/api\/v1\/(agents|deployments|pipelines|gateways|metrics)(\/|$)/;
const ERROR_REF = '#/components/schemas/ErrorResponse';

function operations(doc: Json): Operation[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method, path, op: item[method] as Json })),
  );
}

const name = ({ method, path }: Operation) => `${method.toUpperCase()} ${path}`;
const isPublic = ({ op }: Operation) => Array.isArray(op.security) && op.security.length === 0;

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: Json;
  let ops: Operation[];

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.api().get('/api/docs-json').expect(200).expect('Content-Type', /json/);
    doc = res.body;
    ops = operations(doc);
  });
  afterAll(() => t.close());

  const op = (method: string, path: string): Json => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
    return found;
  };

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(ops.length).toBeGreaterThan(20);
  });

  it('offers both ways in: HTTP bearer and the X-API-Key header, required by default', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', description: 'User access token (JWT) or sk_live_ API key' },
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
    expect(doc.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
    // Swagger UI shows this: authorizing both schemes at once would make every call a 400.
    expect(doc.info.description).toContain('**Authorize with one credential at a time.**');
  });

  it('names its server and declares, with a description, every tag an operation uses', () => {
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    const declared = new Map((doc.tags as Json[]).map((tag) => [tag.name, tag.description]));
    for (const o of ops) {
      for (const tag of o.op.tags ?? []) expect({ route: name(o), tag, described: !!declared.get(tag) }).toEqual({ route: name(o), tag, described: true });
    }
  });

  it('declares the headers each response can carry: X-Request-Id always, X-RateLimit-* wherever a key is counted', () => {
    for (const o of ops) {
      for (const [status, response] of Object.entries(o.op.responses as Json)) {
        const headers = Object.keys(response.headers ?? {});
        const where = `${name(o)} ${status}`;
        expect({ where, headers }).toEqual({ where, headers: expect.arrayContaining(['X-Request-Id']) });
        if (status === '401') expect({ where, headers }).toEqual({ where, headers: expect.arrayContaining(['WWW-Authenticate']) });
        if (status === '429') expect({ where, headers }).toEqual({ where, headers: expect.arrayContaining(['Retry-After']) });
        const counted = o.op['x-required-scopes'] ? ['200', '201', '204', '400', '403', '404', '409', '429'].includes(status) : false;
        if (counted) expect({ where, headers }).toEqual({ where, headers: expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) });
      }
    }
    expect(Object.keys(doc.components.headers)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'WWW-Authenticate', 'Retry-After', 'X-RateLimit-Limit']),
    );
  });

  it('lists 413 on every operation with a body, and 400/429/503 on every operation that needs a caller', () => {
    for (const o of ops) {
      const statuses = Object.keys(o.op.responses);
      const expected = [...(o.op.requestBody ? ['400', '413'] : []), ...(isPublic(o) ? [] : ['400', '401', '429', '503'])];
      expect({ route: name(o), statuses }).toEqual({ route: name(o), statuses: expect.arrayContaining(expected) });
    }
  });

  it('lets rotate and the resource PATCHes go without a body, as the server does', () => {
    for (const [method, path] of [
      ['post', '/api/v1/api-keys/{id}/rotate'],
      ['patch', '/api/v1/agents/{id}'],
      ['patch', '/api/v1/deployments/{id}'],
      ['patch', '/api/v1/pipelines/{id}'],
      ['patch', '/api/v1/gateways/{id}'],
    ]) {
      expect({ route: `${method} ${path}`, required: op(method, path).requestBody.required }).toEqual({ route: `${method} ${path}`, required: false });
    }
    expect(op('post', '/api/v1/agents').requestBody.required).toBe(true);
    expect(op('patch', '/api/v1/organizations/current').requestBody.required).toBe(true);
  });

  it('types ids as UUIDs, keys by their format, and refuses unknown properties in every schema', () => {
    expect(op('get', '/api/v1/agents/{id}').parameters[0].schema).toMatchObject({ type: 'string', format: 'uuid' });
    expect(op('delete', '/api/v1/organizations/current/members/{user_id}').parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'user_id', schema: expect.objectContaining({ format: 'uuid' }) })]),
    );
    expect(doc.components.schemas.CreatedApiKeyResponse.properties.key.pattern).toBe('^sk_live_([a-z0-9]{8})_([A-Za-z0-9]{32})$');
    for (const [schemaName, schema] of Object.entries(doc.components.schemas as Json)) {
      if (schema.type === 'object') expect({ schemaName, additional: schema.additionalProperties }).toEqual({ schemaName, additional: false });
    }
  });

  it('shows the scopes of every resource route in x-required-scopes and in its description', () => {
    const resourceOps = ops.filter((o) => RESOURCE_PATH.test(o.path));
    // 4 resources x 5 routes, plus GET /metrics.
    expect(resourceOps.length).toBeGreaterThanOrEqual(21);
    for (const o of resourceOps) {
      const scopes: string[] = o.op['x-required-scopes'];
      expect({ route: name(o), scopes }).toEqual({ route: name(o), scopes: expect.arrayContaining([expect.any(String)]) });
      expect(o.op.description).toContain(`Requires scope${scopes.length > 1 ? 's' : ''}: `);
      for (const scope of scopes) expect(o.op.description).toContain(`\`${scope}\``);
      // Both credentials work on resource routes.
      expect(o.op.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
    }
    expect(op('get', '/api/v1/agents').description).toContain(
      'Requires scope: `agents:read` (`agents:write` also grants it).',
    );
    expect(op('post', '/api/v1/agents').description).toContain('Requires scope: `agents:write`.');
    expect(op('get', '/api/v1/metrics')['x-required-scopes']).toEqual(['metrics:read']);
  });

  it('documents exactly the access the guard enforces, for every route of every controller', () => {
    // The same metadata the global guard reads (see route-policy.ts), taken from the live app.
    const reflector = t.app.get(Reflector);
    const byOperationId = new Map(ops.map((o) => [o.op.operationId as string, o]));
    let checked = 0;
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        for (const key of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[key];
          if (key === 'constructor' || typeof handler !== 'function') continue;
          if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          const documented = byOperationId.get(`${controller.name}_${key}`);
          if (!documented) throw new Error(`${controller.name}.${key} is not in the document`);
          const targets = [handler, controller];
          const isPublicRoute = reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true;
          const scopes = reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets);
          const roles = reflector.getAllAndOverride<string[] | undefined>(USERS_ONLY_KEY, targets);
          const route = name(documented);
          expect({ route, public: isPublic(documented) }).toEqual({ route, public: isPublicRoute });
          expect({ route, scopes: documented.op['x-required-scopes'] }).toEqual({ route, scopes });
          const expectedRoles = roles === undefined ? undefined : roles.length ? roles : [...ROLES];
          expect({ route, roles: documented.op['x-required-roles'] }).toEqual({ route, roles: expectedRoles });
          checked++;
        }
      }
    }
    expect(checked).toBe(ops.length);
  });

  it('says on users-only routes that API keys are refused, with the roles, and offers only bearer', () => {
    const keyCreate = op('post', '/api/v1/api-keys');
    expect(keyCreate['x-required-roles']).toEqual(['owner', 'admin', 'developer']);
    expect(keyCreate.description).toContain(
      'Users only (API keys are refused); roles: `owner`, `admin` or `developer`.',
    );
    expect(keyCreate.security).toEqual([{ bearer: [] }]);
    expect(op('get', '/api/v1/auth/me').description).toContain('Users only (API keys are refused); any role.');
    for (const o of ops.filter((o) => o.op['x-required-roles'])) {
      expect({ route: name(o), security: o.op.security }).toEqual({ route: name(o), security: [{ bearer: [] }] });
      expect(o.op.description).toContain('Users only (API keys are refused)');
    }
  });

  it('lists 401 and 403 on every non-public route, and 429 where API keys are accepted', () => {
    const protectedOps = ops.filter((o) => !isPublic(o));
    expect(protectedOps.length).toBeGreaterThan(20);
    for (const o of protectedOps) {
      expect({ route: name(o), responses: Object.keys(o.op.responses) }).toEqual({
        route: name(o),
        responses: expect.arrayContaining(['401', '403']),
      });
      if (o.op['x-required-scopes']) expect(Object.keys(o.op.responses)).toContain('429');
    }
    expect(Object.keys(op('get', '/api/v1/agents/{id}').responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '429']),
    );
    expect(Object.keys(op('post', '/api/v1/auth/register').responses)).toEqual(
      expect.arrayContaining(['201', '400', '409']),
    );
  });

  it('describes every error response with the one { statusCode, error, message } schema and an example', () => {
    expect(doc.components.schemas.ErrorResponse).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['statusCode', 'error', 'message']),
      properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
    });
    for (const o of ops) {
      for (const [status, response] of Object.entries(o.op.responses as Json)) {
        // Health's 503 is @nestjs/terminus' report of each dependency, not an error body.
        if (Number(status) < 400 || (o.path === '/api/v1/health' && status === '503')) continue;
        const json = response.content?.['application/json'];
        const where = `${name(o)} ${status}`;
        expect({ where, schema: json?.schema }).toEqual({ where, schema: { $ref: ERROR_REF } });
        expect({ where, example: json?.example }).toEqual({
          where,
          example: { statusCode: Number(status), error: expect.any(String), message: expect.any(String) },
        });
      }
    }
    expect(op('get', '/api/v1/agents').responses['403'].content['application/json'].example).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: "Missing scope 'agents:read'",
    });
  });

  it('marks health, register and login public with security: []', () => {
    for (const [method, path] of [
      ['get', '/api/v1/health'],
      ['post', '/api/v1/auth/register'],
      ['post', '/api/v1/auth/login'],
    ]) {
      expect({ route: `${method} ${path}`, security: op(method, path).security }).toEqual({
        route: `${method} ${path}`,
        security: [],
      });
    }
    expect(JSON.stringify(doc)).not.toContain('"x-public"');
  });

  it("shows the spec's examples for creating a key and for its usage", () => {
    const requestRef: string = op('post', '/api/v1/api-keys').requestBody.content['application/json'].schema.$ref;
    const create = doc.components.schemas[requestRef.split('/').pop() as string].properties;
    expect(create.name.example).toBe('CI/CD Pipeline');
    expect(create.scopes.example).toEqual(['agents:read', 'deployments:write']);
    expect(create.rate_limit.example).toBe(100);
    // The spec's 2025 date has passed; the example must be one a user can send as is.
    expect(Date.parse(create.expires_at.example)).toBeGreaterThan(Date.now());

    const createdRef: string = op('post', '/api/v1/api-keys').responses['201'].content['application/json'].schema.$ref;
    const created = doc.components.schemas[createdRef.split('/').pop() as string].properties;
    expect(created.key.example).toMatch(/^sk_live_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(created.key_prefix.example).toBe('sk_live_a1b2c3d4');

    const usageRef: string = op('get', '/api/v1/api-keys/{id}/usage').responses['200'].content['application/json']
      .schema.$ref;
    const usage = doc.components.schemas[usageRef.split('/').pop() as string].properties;
    expect([usage.request_count.example, usage.rate_limit.example, usage.remaining.example]).toEqual([45, 100, 55]);
  });

  it('serves Swagger UI at /api/docs, without keeping the authorization in the browser', async () => {
    const page = await t.api().get('/api/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger-ui');
    const init = await t.api().get('/api/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toMatch(/"persistAuthorization":\s*false/);
  });
});

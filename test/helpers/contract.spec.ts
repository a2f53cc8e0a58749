import { ContractChecker } from './contract';

/** A two-operation document: enough to show what the checker catches. */
const doc = {
  openapi: '3.0.0',
  paths: {
    '/api/v1/things/{id}': {
      get: {
        responses: {
          200: {
            description: 'a thing',
            headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, 'X-RateLimit-Limit': { schema: { type: 'integer', minimum: 1 } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          404: { description: 'none', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/api/v1/things/special': { get: { responses: { 204: { description: 'nothing' } } } },
  },
  components: {
    headers: { 'X-Request-Id': { schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' } } },
    schemas: {
      Thing: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'count'],
        properties: { id: { type: 'string', format: 'uuid' }, count: { type: 'integer' } },
      },
    },
  },
};

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ok = { method: 'get', url: `/api/v1/things/${ID}?x=1`, status: 200, headers: { 'x-request-id': 'abc', 'content-type': 'application/json' } };

describe('ContractChecker', () => {
  it('passes a response the document describes, and prefers a literal path over a template', () => {
    const checker = new ContractChecker(doc);
    checker.check({ ...ok, body: { id: ID, count: 2 } });
    checker.check({ method: 'get', url: '/api/v1/things/special', status: 204, headers: {}, body: {} });
    expect(checker.violations).toEqual([]);
    expect([...checker.seen.keys()]).toEqual(['GET /api/v1/things/{id} 200', 'GET /api/v1/things/special 204']);
  });

  it('reports an undocumented status, a body off its schema, an undeclared header and a bad header value', () => {
    const checker = new ContractChecker(doc);
    checker.check({ ...ok, status: 413, body: {} });
    checker.check({ ...ok, body: { id: 'not-a-uuid', count: 1.5, key_hash: 'x' } });
    checker.check({ ...ok, headers: { ...ok.headers, 'www-authenticate': 'Bearer' }, body: { id: ID, count: 1 } });
    checker.check({ ...ok, headers: { ...ok.headers, 'x-ratelimit-limit': 'lots' }, body: { id: ID, count: 1 } });
    checker.check({ ...ok, method: 'post', body: {} });
    expect(checker.violations).toEqual([
      expect.stringContaining('413: status not documented'),
      expect.stringMatching(/body does not match the schema.*(format|uuid).*/),
      expect.stringContaining('header www-authenticate is sent but not declared'),
      expect.stringContaining('header x-ratelimit-limit: "lots"'),
      expect.stringContaining('no such operation'),
    ]);
    expect(checker.violations[1]).toMatch(/additionalProperties/);
    expect(checker.violations[1]).toMatch(/integer/);
  });
});

import { randomUUID } from 'node:crypto';
import { rawRequest, RawResponse } from './helpers/raw-request';
import { startServerProcess, ServerProcess } from './helpers/server-process';

/**
 * Text that is not well-formed — a lone UTF-16 surrogate in JSON (`"\ud800"`), bytes that are not
 * UTF-8, percent-escapes that spell no character — sent to the compiled server on many routes, in
 * the body, the query string, the path and the headers. Before: login, register and add-member
 * answered 500 with an error-level stack trace (PostgreSQL refused the string). Now: 400 naming
 * what is wrong, and nothing at error level in the log.
 */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('undecodable input (e2e)', () => {
  let server: ServerProcess;
  let token: string;
  let agentId: string;
  let keyId: string;

  const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    rawRequest(server.baseUrl, method, path, {
      body,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    });
  const auth = () => ({ authorization: `Bearer ${token}` });

  const expect400 = (res: RawResponse, message: RegExp) => {
    expect({ status: res.status, body: res.json() }).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) },
    });
  };

  beforeAll(async () => {
    server = await startServerProcess({ LOG_LEVEL: 'info' });
    // Valid non-ASCII text still works, end to end (and gives the routes below something to act on).
    const reg = await send(
      'POST',
      '/api/v1/auth/register',
      JSON.stringify({ email: `zoe-${randomUUID()}@example.com`, password: 'pässwörd-😀-long', name: 'Zoë 😀', organization_name: 'Ünïcode Ltd' }),
    );
    expect(reg.status).toBe(201);
    expect((reg.json().user as { name: string }).name).toBe('Zoë 😀');
    token = reg.json().access_token as string;
    const agent = await send('POST', '/api/v1/agents', JSON.stringify({ name: 'Agent ☃' }), auth());
    expect(agent.status).toBe(201);
    agentId = agent.json().id as string;
    const key = await send('POST', '/api/v1/api-keys', JSON.stringify({ name: 'k', scopes: ['agents:read'] }), auth());
    expect(key.status).toBe(201);
    keyId = key.json().id as string;
  });
  afterAll(async () => {
    await server?.terminate();
  });

  const SURROGATE = /is not well-formed Unicode: it contains a lone UTF-16 surrogate/;

  it('answers 400 to a lone surrogate in a JSON body on login, register, add member and resource routes', async () => {
    // The raw JSON text carries the escape itself: JSON.stringify would write it the same way.
    expect400(await send('POST', '/api/v1/auth/login', '{"email":"\\ud800","password":"x"}'), /^email is not well-formed/);
    expect400(
      await send('POST', '/api/v1/auth/register', '{"email":"a\\ud800@example.com","password":"long enough","name":"n","organization_name":"o"}'),
      /^email is not well-formed/,
    );
    expect400(
      await send('POST', '/api/v1/organizations/current/members', '{"email":"\\udfff@example.com","password":"long enough","name":"n","role":"viewer"}', auth()),
      /^email is not well-formed/,
    );
    expect400(await send('POST', '/api/v1/agents', '{"name":"\\ud800"}', auth()), /^name is not well-formed/);
    expect400(await send('PATCH', `/api/v1/agents/${agentId}`, '{"description":"x\\udc00y"}', auth()), SURROGATE);
    expect400(
      await send('POST', '/api/v1/api-keys', '{"name":"k","scopes":["agents:read","\\ud83d"]}', auth()),
      /^scopes\[1\] is not well-formed/,
    );
    expect400(await send('POST', '/api/v1/agents', '{"name":"ok","\\ud800":1}', auth()), /^a property name is not well-formed/);
    // A well-formed pair (an emoji written as two escapes) is text like any other.
    expect((await send('POST', '/api/v1/agents', '{"name":"\\ud83d\\ude00"}', auth())).status).toBe(201);
  });

  it('answers 400 to bytes that are not UTF-8 in a JSON or form body', async () => {
    const body = Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('@example.com","password":"x"}')]);
    expect400(await send('POST', '/api/v1/auth/login', body), /^Request body is not valid UTF-8$/);
    expect400(
      await send('POST', '/api/v1/auth/login', 'email=a%40example.com&password=%ED%A0%80', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      /^Request body is not valid percent-encoded UTF-8$/,
    );
  });

  it('answers 400 to undecodable query strings and path ids', async () => {
    const PERCENT = 'is not valid percent-encoded UTF-8 (each %XX must be hex, and together they must spell UTF-8 characters)';
    const query = (name: string) => new RegExp(`^Query parameter ${name} ${escape(PERCENT)}$`);
    const path = new RegExp(`^The URL path ${escape(PERCENT)}$`);
    expect400(await send('GET', '/api/v1/agents?cursor=%ED%A0%80', undefined, auth()), query('cursor'));
    expect400(await send('GET', '/api/v1/api-keys?status=active&limit=%FF', undefined, auth()), query('limit'));
    expect400(await send('GET', '/api/v1/audit-logs?action=%C3', undefined, auth()), query('action'));
    expect400(await send('GET', '/api/v1/health?probe=%ZZ'), query('probe'));
    expect400(await send('GET', '/api/v1/agents?%FF=1', undefined, auth()), new RegExp(`^A query parameter name ${escape(PERCENT)}$`));
    expect400(await send('GET', '/api/v1/agents/%ED%A0%80', undefined, auth()), path);
    expect400(await send('DELETE', `/api/v1/api-keys/${keyId.slice(0, 8)}%C0%AF`, undefined, auth()), path);
    expect400(await send('GET', '/api/docs?x=%FF'), query('x'));
    // Raw bytes in the request line (not percent-encoded): Node's parser refuses them before any
    // route, and the answer is still the API's JSON error.
    expect400(await send('GET', '/api/v1/agents/\xff\xfe', undefined, auth()), /^The request could not be parsed \(raw bytes outside ASCII/);
    // Well-formed escapes still reach the route: a valid UTF-8 name that is not a UUID is the route's own 400.
    expect400(await send('GET', '/api/v1/agents/%E2%98%83', undefined, auth()), /^id must be a UUID$/);
  });

  it('answers 400 to header values that are not UTF-8, before any credential is looked at', async () => {
    expect400(await send('GET', '/api/v1/health', undefined, { 'user-agent': 'bot \xc3\x28' }), /^Header user-agent is not valid UTF-8$/i);
    expect400(await send('GET', '/api/v1/agents', undefined, { 'x-api-key': 'sk_live_\xff\xff' }), /^Header x-api-key is not valid UTF-8$/i);
    expect400(await send('GET', '/api/v1/agents', undefined, { authorization: 'Bearer \xe9' }), /^Header authorization is not valid UTF-8$/i);
    // UTF-8 bytes in a header are fine.
    const utf8 = Buffer.from('bot ☃', 'utf8').toString('latin1');
    expect((await send('GET', '/api/v1/health', undefined, { 'user-agent': utf8 })).status).toBe(200);
  });

  it('wrote nothing at error level and no stack trace for any of it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(server.output()).not.toMatch(/QueryFailedError|\n\s+at /);
  });
});

import type { Request } from 'express';
import { actorOf } from './actor.decorator';

const request = (fields: Partial<Request>) => ({ headers: {}, ...fields }) as Request;

describe('actorOf', () => {
  it('names a signed-in user by user id, with address and user agent', () => {
    const req = request({
      principal: { kind: 'user', userId: 'u-1', organizationId: 'o-1', role: 'owner', scopes: [] },
      ip: '203.0.113.7',
      headers: { 'user-agent': 'curl/8.5' },
    });
    expect(actorOf(req)).toEqual({ type: 'user', id: 'u-1', clientIp: '203.0.113.7', userAgent: 'curl/8.5' });
  });

  it('names an API key caller by key id', () => {
    const req = request({
      principal: { kind: 'api_key', keyId: 'k-1', organizationId: 'o-1', scopes: [], rateLimit: 100, createdBy: 'u-1', metadata: {} },
      ip: '::1',
    });
    expect(actorOf(req)).toEqual({ type: 'api_key', id: 'k-1', clientIp: '::1', userAgent: null });
  });

  it('is the system, without id, when no caller was authenticated', () => {
    expect(actorOf(request({}))).toEqual({ type: 'system', id: null, clientIp: null, userAgent: null });
  });
});

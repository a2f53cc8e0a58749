import { Logger } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { AuditLog } from './audit-log.entity';
import { AuditActor, AuditEntry, AuditService, redactSecrets, toAuditRow } from './audit.service';

const PLAIN_KEY = 'sk_live_a1b2c3d4_abcdefghijklmnopqrstuvwxyzABCDEF';
const actor: AuditActor = { type: 'user', id: '5d2f8a61-7c3b-4e9d-a1f0-6b8c9d0e1f23', clientIp: '203.0.113.7', userAgent: 'curl/8.5' };

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    organizationId: '0b7c1e9a-4f3d-4a51-9c2e-8d6f5a4b3c21',
    action: 'member.added',
    actor,
    targetType: 'member',
    targetId: '9e4a7b12-3c5d-4f6e-8a9b-0c1d2e3f4a5b',
    ...overrides,
  };
}

describe('redactSecrets', () => {
  it('drops secret-named properties at any depth, in any case style', () => {
    const redacted = redactSecrets({
      email: 'grace@example.com',
      role: 'admin',
      password: 'correct-horse-9',
      newPassword: 'x',
      key: PLAIN_KEY,
      plainKey: 'x',
      api_key: 'x',
      key_hash: '$2b$12$abc',
      keyHash: '$2b$12$abc',
      access_token: 'x',
      refreshToken: 'x',
      client_secret: 'x',
      Authorization: 'Bearer x',
      nested: { list: [{ password: 'x', name: 'ok' }], token: 'x' },
    });
    expect(redacted).toEqual({ email: 'grace@example.com', role: 'admin', nested: { list: [{ name: 'ok' }] } });
  });

  it('keeps names that only mention a key: key_prefix, key_id, keyId, keys_revoked', () => {
    const value = { key_prefix: 'sk_live_a1b2c3d4', key_id: 'id', keyId: 'id', keys_revoked: 2, monkey: 'x' };
    expect(redactSecrets(value)).toEqual(value);
  });

  it('replaces any string containing sk_live_ except a bare key prefix', () => {
    expect(
      redactSecrets({
        note: `rotated from ${PLAIN_KEY}`,
        list: ['fine', PLAIN_KEY, 'sk_live_'],
        key_prefix: 'sk_live_a1b2c3d4',
        prefix_with_more: 'sk_live_a1b2c3d4_',
      }),
    ).toEqual({
      note: '[REDACTED]',
      list: ['fine', '[REDACTED]', '[REDACTED]'],
      key_prefix: 'sk_live_a1b2c3d4',
      prefix_with_more: '[REDACTED]',
    });
  });

  it('writes dates as ISO strings and cuts off absurd nesting', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { child: deep };
    const out = JSON.stringify(redactSecrets({ at: new Date('2024-01-15T10:00:00Z'), deep }));
    expect(out).toContain('"at":"2024-01-15T10:00:00.000Z"');
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain('leaf');
  });
});

describe('toAuditRow', () => {
  it('maps the entry to columns, defaulting metadata to {}', () => {
    expect(toAuditRow(entry())).toEqual({
      organizationId: '0b7c1e9a-4f3d-4a51-9c2e-8d6f5a4b3c21',
      action: 'member.added',
      actorType: 'user',
      actorId: actor.id,
      targetType: 'member',
      targetId: '9e4a7b12-3c5d-4f6e-8a9b-0c1d2e3f4a5b',
      clientIp: '203.0.113.7',
      userAgent: 'curl/8.5',
      metadata: {},
    });
  });

  it('truncates the user agent to 512 characters and scrubs keys from it', () => {
    const long = toAuditRow(entry({ actor: { ...actor, userAgent: '€'.repeat(600) } }));
    expect(long.userAgent).toBe('€'.repeat(512));
    const keyed = toAuditRow(entry({ actor: { ...actor, userAgent: `bot/1 (${PLAIN_KEY})` } }));
    expect(keyed.userAgent).toBe('bot/1 (sk_live_[REDACTED])');
  });

  it('stores empty client address and user agent as null', () => {
    const row = toAuditRow(entry({ actor: { type: 'system', id: null, clientIp: '', userAgent: '' } }));
    expect(row).toMatchObject({ actorType: 'system', actorId: null, clientIp: null, userAgent: null });
  });
});

describe('AuditService.recordRefusedUse', () => {
  const refused = (keyId: string) =>
    ({ ...entry({ targetType: 'api_key', targetId: keyId }), action: 'api_key.refused_revoked' }) as const;

  function serviceWith(insert: jest.Mock) {
    return new AuditService({ insert } as unknown as Repository<AuditLog>);
  }

  it('writes one entry per key and action per minute', async () => {
    const insert = jest.fn().mockResolvedValue(undefined);
    const service = serviceWith(insert);
    for (let i = 0; i < 5; i++) service.recordRefusedUse(refused('key-a'));
    service.recordRefusedUse(refused('key-b'));
    service.recordRefusedUse({ ...refused('key-a'), action: 'api_key.refused_expired' });
    await service.settled();
    expect(insert.mock.calls.map(([row]) => [row.targetId, row.action])).toEqual([
      ['key-a', 'api_key.refused_revoked'],
      ['key-b', 'api_key.refused_revoked'],
      ['key-a', 'api_key.refused_expired'],
    ]);
  });

  it('returns before the write finishes', () => {
    const insert = jest.fn().mockReturnValue(new Promise(() => undefined));
    expect(serviceWith(insert).recordRefusedUse(refused('key-a'))).toBeUndefined();
    expect(insert).toHaveBeenCalledTimes(1);
  });

  it('never throws: a failed write logs a warning and the next refusal tries again', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const insert = jest.fn().mockRejectedValueOnce(new Error('connection lost')).mockResolvedValue(undefined);
    const service = serviceWith(insert);
    expect(() => service.recordRefusedUse(refused('key-a'))).not.toThrow();
    await service.settled();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('connection lost'));
    service.recordRefusedUse(refused('key-a'));
    await service.settled();
    expect(insert).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });

  it('never throws on an entry it cannot even read', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const service = serviceWith(jest.fn());
    expect(() => service.recordRefusedUse(null as unknown as ReturnType<typeof refused>)).not.toThrow();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe('AuditService listeners (the seam webhooks subscribe through)', () => {
  function setup() {
    const calls: string[] = [];
    const txInsert = jest.fn(async () => void calls.push('insert in tx'));
    const tx = { getRepository: () => ({ insert: txInsert }) };
    const plainInsert = jest.fn(async () => void calls.push('insert alone'));
    const transaction = jest.fn(async (work: (m: unknown) => Promise<void>) => {
      calls.push('begin');
      await work(tx);
      calls.push('commit');
    });
    const service = new AuditService({ insert: plainInsert, manager: { transaction } } as unknown as Repository<AuditLog>);
    return { service, calls, tx };
  }

  it('calls a listener after the insert, inside the caller’s transaction, for the actions it wants', async () => {
    const { service, calls, tx } = setup();
    const seen: Array<[string, unknown]> = [];
    service.onRecorded(async (e, m) => void seen.push([e.action, m]), (action) => action === 'member.added');
    await service.record(entry(), tx as never);
    await service.record(entry({ action: 'member.removed' }), tx as never);
    expect(seen).toEqual([['member.added', tx]]);
    expect(calls).toEqual(['insert in tx', 'insert in tx']);
  });

  it('without a transaction, wraps the entry and its listeners in one; an entry nobody wants is a plain insert', async () => {
    const { service, calls } = setup();
    service.onRecorded(async () => void calls.push('listener'), (action) => action === 'member.added');
    await service.record(entry());
    await service.record(entry({ action: 'api_key.refused_revoked' }));
    expect(calls).toEqual(['begin', 'insert in tx', 'listener', 'commit', 'insert alone']);
  });

  it('lets a failing listener fail the record (so the caller’s transaction rolls back)', async () => {
    const { service, tx } = setup();
    service.onRecorded(async () => {
      throw new Error('outbox unavailable');
    });
    await expect(service.record(entry(), tx as never)).rejects.toThrow('outbox unavailable');
  });
});

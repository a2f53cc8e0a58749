import { newSigningSecret, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.from('a server secret of at least 32 characters'));

  it('round-trips a secret bound to its endpoint, and refuses it under another id or key', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const sealed = box.seal(secret, 'endpoint-1');
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, 'endpoint-1')).toBe(secret);
    expect(() => box.open(sealed, 'endpoint-2')).toThrow();
    expect(() => new SecretBox(Buffer.from('another server secret, 32+ characters')).open(sealed, 'endpoint-1')).toThrow();
  });
});

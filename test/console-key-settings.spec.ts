import { formatAllowlist, formatMetadata, parseAllowlist, parseMetadata } from '../web/src/lib/key-settings';

// The console's text forms of a key's allow-list and metadata: what is sent, and what is refused before
// anything is sent.
describe('console key settings', () => {
  it('reads one address or CIDR per line, ignoring blank lines and spaces', () => {
    expect(parseAllowlist(' 10.0.0.0/8 \r\n\n2001:db8::/32\n  \n127.0.0.2')).toEqual(['10.0.0.0/8', '2001:db8::/32', '127.0.0.2']);
    expect(parseAllowlist('')).toEqual([]);
    expect(formatAllowlist(['10.0.0.0/8', '127.0.0.2'])).toBe('10.0.0.0/8\n127.0.0.2');
  });

  it('accepts a JSON object (empty text is {}) and refuses anything else with what is wrong', () => {
    expect(parseMetadata('{"team": "billing", "tier": 2}')).toEqual({ ok: true, value: { team: 'billing', tier: 2 } });
    expect(parseMetadata('  ')).toEqual({ ok: true, value: {} });
    expect(parseMetadata('{"team": ')).toMatchObject({ ok: false, message: expect.stringContaining('not valid JSON') });
    expect(parseMetadata('[1, 2]')).toMatchObject({ ok: false, message: expect.stringContaining('not an array') });
    expect(parseMetadata('null')).toMatchObject({ ok: false, message: expect.stringContaining('not null') });
    expect(parseMetadata('"text"')).toMatchObject({ ok: false, message: expect.stringContaining('not a string') });
  });

  it('refuses metadata over 4 KB serialized, counting UTF-8 bytes', () => {
    const justFits = JSON.stringify({ v: 'x'.repeat(4096 - '{"v":""}'.length) });
    expect(parseMetadata(justFits)).toMatchObject({ ok: true });
    // 'é' is two bytes in UTF-8: the same number of characters is over the limit.
    const tooBig = JSON.stringify({ v: 'é'.repeat(4096 - '{"v":""}'.length) });
    expect(parseMetadata(tooBig)).toMatchObject({ ok: false, message: expect.stringContaining('limit is 4096 bytes') });
  });

  it('shows stored metadata pretty-printed, and none as empty text', () => {
    expect(formatMetadata({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatMetadata({})).toBe('');
    expect(formatMetadata(null)).toBe('');
  });
});

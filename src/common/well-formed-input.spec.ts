import { headerNotUtf8, malformedStringAt, urlProblem } from './well-formed-input';

describe('well-formed input', () => {
  it('finds a lone surrogate anywhere in a parsed body and says where', () => {
    expect(malformedStringAt({ email: '\ud800' })).toBe('email');
    expect(malformedStringAt({ a: { b: ['ok', 'x\udfffy'] } })).toBe('a.b[1]');
    expect(malformedStringAt({ ['\ud800']: 1 })).toBe('a property name');
    expect(malformedStringAt('\udc00')).toBe('(body)');
    // A surrogate pair (an emoji) is well-formed; so are all other values.
    expect(malformedStringAt({ name: '😀 \ud83d\ude00', n: 1, b: true, z: null, list: [] })).toBeUndefined();
    expect(malformedStringAt(undefined)).toBeUndefined();
  });

  it('refuses percent-escapes that are not UTF-8 and raw bytes that are not, and nothing else', () => {
    for (const url of ['/a/%ED%A0%80', '/a?x=%FF', '/a?x=%C3', '/a?x=100%', '/a?x=%zz', '/\xff']) expect(urlProblem(url)).toBeDefined();
    expect(urlProblem('/a?limit=5&cursor=%%%')).toMatch(/^Query parameter cursor is not valid percent-encoded UTF-8/);
    expect(urlProblem('/a/%FF?x=1')).toMatch(/^The URL path is not/);
    for (const url of ['/a', '/a?x=%E2%98%83&y=a+b', '/a/%20b?c=%25', '/\xe2\x98\x83']) expect(urlProblem(url)).toBeUndefined();
  });

  it('names the first header whose bytes are not UTF-8', () => {
    expect(headerNotUtf8(['Host', 'x', 'User-Agent', 'bot \xe2\x98\x83'])).toBeUndefined();
    expect(headerNotUtf8(['Host', 'x', 'X-Name', 'caf\xe9', 'X-Other', '\xff'])).toBe('X-Name');
  });
});

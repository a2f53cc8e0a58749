import { describeConnectionError } from './connection-errors';

describe('describeConnectionError', () => {
  const url = 'postgres://alice:s3cret-pw@db.example:5433/kaizen';
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each([
    ['a missing database', coded('3D000', 'database "kaizen" does not exist'), /database "kaizen" does not exist .*createdb -h db\.example -p 5433 -U alice kaizen/],
    ['nothing listening', coded('ECONNREFUSED'), /is PostgreSQL running on db\.example:5433\?/],
    ['both localhost addresses refused', new AggregateError([coded('ECONNREFUSED')]), /is PostgreSQL running on db\.example:5433\?/],
    ['no answer', new Error('Connection terminated due to connection timeout'), /no answer from PostgreSQL at db\.example:5433 within 3 s/],
    ['a wrong password', coded('28P01', 'password authentication failed for user "alice"'), /refused the password of user "alice"/],
    ['an unknown role', coded('28000', 'role "alice" does not exist'), /refused user "alice" .*createuser/],
    ['an unknown host', coded('ENOTFOUND'), /cannot resolve the host "db\.example"/],
  ])('names the problem and the fix for %s, never the password', (_, err, expected) => {
    const line = describeConnectionError(err, url);
    expect(line).toMatch(expected);
    expect(line).not.toContain('s3cret-pw');
  });

  it('leaves errors that are not about reaching the database to the caller', () => {
    expect(describeConnectionError(coded('42P01', 'relation "x" does not exist'), url)).toBeUndefined();
  });

  it("uses pg's defaults for what the URL leaves out", () => {
    expect(describeConnectionError(coded('3D000'), 'postgres://bob@localhost')).toContain('createdb -h localhost -p 5432 -U bob bob');
  });
});

import { QueryFailedError } from 'typeorm';
import { databaseUnreachable } from './dependency-failures';

describe('databaseUnreachable', () => {
  const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

  const refused = (port: number) => Object.assign(coded('ECONNREFUSED', `connect ECONNREFUSED 127.0.0.1:${port}`), { port });

  it.each([
    ['a refused pool connection', refused(5432)],
    ['both localhost addresses refused', new AggregateError([refused(5432), refused(5432)])],
    ['a connection reset during a query', queryFailed(coded('ECONNRESET', 'read ECONNRESET'))],
    ['a connection cut during a query', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['the server shutting down', queryFailed(coded('57P01', 'terminating connection due to administrator command'))],
    ['a connection exception (class 08)', queryFailed(coded('08006', 'connection failure'))],
  ])('recognises %s', (_, err) => {
    expect(databaseUnreachable(err, 5432)).toEqual(expect.any(String));
  });

  it.each([
    ['a unique violation', queryFailed(coded('23505', 'duplicate key'))],
    ['a syntax error (a bug)', queryFailed(coded('42601', 'syntax error'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
    ['another service refusing a connection (a webhook endpoint)', refused(8080)],
  ])('leaves %s alone', (_, err) => {
    expect(databaseUnreachable(err, 5432)).toBeUndefined();
  });
});

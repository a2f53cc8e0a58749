import { QueryFailedError } from 'typeorm';
import { databaseUnreachable } from './dependency-failures';

describe('databaseUnreachable', () => {
  const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each([
    ['a refused connection', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['both localhost addresses refused', Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), { code: undefined })],
    ['a connection cut during a query', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['the server shutting down', queryFailed(coded('57P01', 'terminating connection due to administrator command'))],
    ['a connection exception (class 08)', queryFailed(coded('08006', 'connection failure'))],
  ])('recognises %s', (_, err) => {
    expect(databaseUnreachable(err)).toEqual(expect.any(String));
  });

  it.each([
    ['a unique violation', queryFailed(coded('23505', 'duplicate key'))],
    ['a syntax error (a bug)', queryFailed(coded('42601', 'syntax error'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('leaves %s alone', (_, err) => {
    expect(databaseUnreachable(err)).toBeUndefined();
  });
});

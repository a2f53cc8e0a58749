import { createHash } from 'node:crypto';
import { Client, QueryConfig } from 'pg';

/** Statement names by SQL text; bounded, since each name is also a statement on the server. */
const names = new Map<string, string>();
const MAX_NAMED = 2_000;

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (!name && names.size < MAX_NAMED) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 40)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A pg client that runs every parameterised query as a named prepared statement, so a connection
 * parses and plans each distinct SQL text once instead of on every request. TypeORM builds the same
 * texts over and over (one per code path). On the embedded database the statements belong to PGlite's
 * one session, shared by all pool connections (PgliteSession), so each text is parsed once per process.
 */
export class PreparedStatementClient extends Client {
  // pg's query() has many overloads; only the (text, values[, callback]) form TypeORM uses is rewritten.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(config);
      if (name) {
        const named: QueryConfig = { name, text: config, values };
        return super.query(named, callback);
      }
    }
    return super.query(config, values, callback);
  }
}

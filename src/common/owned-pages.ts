import { Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Owned } from './owned';
import { afterCursor, decodeCursor, DEFAULT_PAGE_LIMIT, newestFirst, Page, PageQueryDto, pageOf } from './pagination';

type Row = Owned & { createdAt: Date };
type Values = { organizationId: string; cursorAt?: Date; cursorId?: string; limit: number };

interface CompiledPage {
  sql: string;
  /** Which value each $n binds. */
  order: (keyof Values)[];
  /** Result column → the entity column it fills. */
  columns: [string, ColumnMetadata][];
}

/**
 * One page of an organization's rows, newest first, as `paginate()` returns it for a query builder
 * filtered by organization, but
 * with the SQL built by TypeORM once per entity and cursor variant instead of on every request.
 * Building the statement, not running it, was the largest cost of listing a resource: about a
 * quarter of the CPU of `GET /agents` on the embedded database (docs/benchmarks.md). Every value,
 * the limit included, is a bound parameter, so one text serves all organizations and pages (and
 * is a prepared statement on the connection). Rows are hydrated the way TypeORM's getMany() does:
 * each column's stored value through the driver's `prepareHydratedValue`.
 */
export class OwnedPages<E extends Row> {
  private readonly compiled = new Map<boolean, CompiledPage>();

  constructor(
    private readonly repo: Repository<E>,
    private readonly alias: string,
  ) {}

  async page<R>(organizationId: string, query: PageQueryDto, map: (row: E) => R): Promise<Page<R>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const values: Values = { organizationId, cursorAt: cursor?.createdAt, cursorId: cursor?.id, limit: limit + 1 };
    const { sql, order, columns } = this.statement(cursor !== undefined);
    const raw: Record<string, unknown>[] = await this.repo.query(
      sql,
      order.map((name) => values[name]),
    );
    const driver = this.repo.manager.connection.driver;
    const rows = raw.map((record) => {
      const entity = this.repo.metadata.create() as E;
      for (const [alias, column] of columns) {
        const value = record[alias];
        if (value !== undefined) column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
      }
      return entity;
    });
    return pageOf(rows, limit, map);
  }

  private statement(withCursor: boolean): CompiledPage {
    let compiled = this.compiled.get(withCursor);
    if (!compiled) {
      compiled = this.compile(withCursor);
      this.compiled.set(withCursor, compiled);
    }
    return compiled;
  }

  /** TypeORM builds the statement with a marker object for each value; their order gives the $n. */
  private compile(withCursor: boolean): CompiledPage {
    const markers = { organizationId: {}, cursorAt: {}, cursorId: {} };
    const qb = this.repo
      .createQueryBuilder(this.alias)
      .where(`${this.alias}.organizationId = :organizationId`, { organizationId: markers.organizationId });
    if (withCursor) qb.andWhere(afterCursor(this.alias), { cursorAt: markers.cursorAt, cursorId: markers.cursorId });
    const [sql, parameters] = newestFirst(qb).getQueryAndParameters();
    const order = parameters.map((p) => {
      const name = (Object.keys(markers) as (keyof typeof markers)[]).find((key) => markers[key] === p);
      if (!name) throw new Error(`OwnedPages(${this.alias}): TypeORM bound a value that is not a marker`);
      return name;
    });
    const columns = this.repo.metadata.columns
      .filter((column) => !column.isVirtual)
      .map((column): [string, ColumnMetadata] => [`${this.alias}_${column.databaseName}`, column]);
    // TypeORM shortens aliases past the driver's limit; fail loudly rather than hydrate nothing.
    const missing = columns.filter(([alias]) => !sql.includes(`"${alias}"`));
    if (missing.length) throw new Error(`OwnedPages(${this.alias}): result columns not found: ${missing.map(([a]) => a).join(', ')}`);
    return { sql: `${sql} LIMIT $${parameters.length + 1}`, order: [...order, 'limit'], columns };
  }
}

import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 100' })
  @Min(1, { message: 'limit must be an integer between 1 and 100' })
  @Max(100, { message: 'limit must be an integer between 1 and 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

/** Rows per page when the client does not say. */
export const DEFAULT_PAGE_LIMIT = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  const [iso, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (extra !== undefined || !id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new BadRequestException('cursor is not a valid next_cursor value');
  }
  return { createdAt, id };
}

/** Rows after the cursor in newest-first order (`:cursorAt`, `:cursorId`). */
export function afterCursor(alias: string): string {
  return `(${alias}.createdAt < :cursorAt OR (${alias}.createdAt = :cursorAt AND ${alias}.id < :cursorId))`;
}

/** Newest first; (created_at, id) is unique, so the order is total and pages are stable. */
export function newestFirst<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): SelectQueryBuilder<E> {
  return qb.orderBy(`${qb.alias}.createdAt`, 'DESC').addOrderBy(`${qb.alias}.id`, 'DESC');
}

/** The page out of `limit + 1` rows read: the extra row only says there is a next page. */
export function pageOf<E extends { createdAt: Date; id: string }, R>(rows: E[], limit: number, map: (entity: E) => R): Page<R> {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: page.map(map),
    next_cursor: hasMore ? encodeCursor(page[page.length - 1]) : null,
  };
}

/**
 * Keyset pagination, newest first. Ordering by (created_at, id) keeps pages stable while rows are
 * inserted; created_at columns are millisecond precision so the cursor round-trips through a JS Date.
 */
export async function paginate<E extends { createdAt: Date; id: string } & ObjectLiteral, R>(
  qb: SelectQueryBuilder<E>,
  query: PageQueryDto,
  map: (entity: E) => R,
): Promise<Page<R>> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    qb.andWhere(afterCursor(qb.alias), { cursorAt: cursor.createdAt, cursorId: cursor.id });
  }
  const rows = await newestFirst(qb)
    // limit(), not take(): callers join only many-to-one relations, so rows never multiply and
    // TypeORM's extra DISTINCT query for take() would be wasted.
    .limit(limit + 1)
    .getMany();
  return pageOf(rows, limit, map);
}

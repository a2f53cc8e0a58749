import { NotFoundException } from '@nestjs/common';
import { FindOptionsWhere, ObjectLiteral, QueryDeepPartialEntity, Repository } from 'typeorm';

/** A row that belongs to one organization. */
export type Owned = ObjectLiteral & { id: string; organizationId: string };

// Every helper puts the organization in the where: another organization's row reads as missing (404).
const owned = <E extends Owned>(organizationId: string, id: string) =>
  ({ id, organizationId }) as FindOptionsWhere<E>;

/** The organization's row with this id, or 404 `notFound`. */
export async function findOwned<E extends Owned>(
  repo: Repository<E>,
  organizationId: string,
  id: string,
  notFound: string,
): Promise<E> {
  const row = await repo.findOneBy(owned<E>(organizationId, id));
  if (!row) throw new NotFoundException(notFound);
  return row;
}

/**
 * Applies the defined `changes` (undefined means "leave as is", null clears) and returns the row
 * as stored. An UPDATE with the organization in its where, not load-and-save: save() would
 * re-insert a row deleted in between.
 */
export async function updateOwned<E extends Owned>(
  repo: Repository<E>,
  organizationId: string,
  id: string,
  changes: Partial<E>,
  notFound: string,
): Promise<E> {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length > 0) {
    const result = await repo.update(owned<E>(organizationId, id), defined as QueryDeepPartialEntity<E>);
    if (!result.affected) throw new NotFoundException(notFound);
  }
  return findOwned(repo, organizationId, id, notFound);
}

/** Deletes the organization's row with this id, or 404 `notFound`. */
export async function deleteOwned<E extends Owned>(
  repo: Repository<E>,
  organizationId: string,
  id: string,
  notFound: string,
): Promise<void> {
  const result = await repo.delete(owned<E>(organizationId, id));
  if (!result.affected) throw new NotFoundException(notFound);
}

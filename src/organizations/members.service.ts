import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { ApiKeysService, KeyChange } from '../api-keys/api-keys.service';
import { AuditActor, AuditService } from '../audit/audit.service';
import { PasswordHasher } from '../auth/passwords';
import { UserPrincipal } from '../auth/principal';
import { User } from '../auth/user.entity';
import { isUniqueViolation } from '../common/database-errors';
import { Page, PageQueryDto, paginate } from '../common/pagination';
import { AddMemberDto } from './dto/add-member.dto';
import { MemberResponse } from './dto/member.response';
import { MembershipCache } from './membership-cache';
import { Membership } from './membership.entity';
import { KEY_HOLDER_ROLES, Role } from './role';

const EMAIL_TAKEN = 'A user with this email already exists';
const LAST_OWNER = 'An organization must keep at least one owner';
const NOT_FOUND = 'Member not found';

interface LockedMembers {
  target: Membership;
  /** The member named to take over the target's keys, when one was named and is a member. */
  heir?: Membership;
  /** The caller's role as committed now, which may differ from the one the request started with. */
  callerRole: Role;
  ownerCount: number;
}

/**
 * Members of the caller's organization. A member is a user account plus its membership; users
 * belong to exactly one organization, so adding creates the account and removing deletes it.
 */
@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditService,
    private readonly apiKeys: ApiKeysService,
    private readonly membershipCache: MembershipCache,
  ) {}

  /** The organization's members, newest first. */
  list(organizationId: string, query: PageQueryDto): Promise<Page<MemberResponse>> {
    const qb = this.memberships
      .createQueryBuilder('membership')
      .innerJoin('membership.user', 'user')
      .select(['membership.id', 'membership.userId', 'membership.role', 'membership.createdAt'])
      .addSelect(['user.id', 'user.email', 'user.name'])
      .where('membership.organizationId = :organizationId', { organizationId });
    return paginate(qb, query, toMemberResponse);
  }

  /** Creates a user account with a membership in the caller's organization; audited as member.added. */
  async add(caller: UserPrincipal, dto: AddMemberDto, actor: AuditActor): Promise<MemberResponse> {
    if (dto.role === 'owner' && caller.role !== 'owner') {
      throw new ForbiddenException('Only an owner can add an owner');
    }
    const email = dto.email.toLowerCase();
    // Hashed before the transaction, so bcrypt never holds a database connection.
    const passwordHash = await this.passwords.hash(dto.password);
    try {
      return await this.dataSource.transaction(async (tx) => {
        if (await tx.exists(User, { where: { email } })) throw new ConflictException(EMAIL_TAKEN);
        const user = await tx.save(tx.create(User, { email, name: dto.name, passwordHash }));
        const membership = await tx.save(
          tx.create(Membership, { organizationId: caller.organizationId, userId: user.id, role: dto.role }),
        );
        await this.audit.record(
          {
            organizationId: caller.organizationId,
            action: 'member.added',
            actor,
            targetType: 'member',
            targetId: user.id,
            metadata: { email, role: dto.role },
          },
          tx,
        );
        return toMemberResponse({ ...membership, user });
      });
    } catch (err) {
      // Two requests for one email can both pass the exists() check; the unique index decides.
      if (isUniqueViolation(err, 'UQ_users_email')) throw new ConflictException(EMAIL_TAKEN);
      throw err;
    }
  }

  /**
   * Changes a member's role; only owners touch owners, and the last owner stays one. An actual
   * change is audited as member.role_changed; setting the same role again records nothing.
   */
  async updateRole(caller: UserPrincipal, userId: string, role: Role, actor: AuditActor): Promise<MemberResponse> {
    const { response, changed } = await this.dataSource.transaction(async (tx) => {
      const { target, callerRole, ownerCount } = await this.lockMembers(tx, caller, userId);
      if (callerRole !== 'owner') {
        if (target.role === 'owner') throw new ForbiddenException("Only an owner can change an owner's role");
        if (role === 'owner') throw new ForbiddenException('Only an owner can make a member an owner');
      }
      if (target.role === 'owner' && role !== 'owner' && ownerCount <= 1) throw new ConflictException(LAST_OWNER);
      if (target.role !== role) {
        await tx.update(Membership, { id: target.id }, { role });
        await this.audit.record(
          {
            organizationId: caller.organizationId,
            action: 'member.role_changed',
            actor,
            targetType: 'member',
            targetId: userId,
            metadata: { from: target.role, to: role },
          },
          tx,
        );
      }
      const user = await tx.findOneOrFail(User, { select: { id: true, email: true, name: true }, where: { id: userId } });
      return { response: toMemberResponse({ ...target, role, user }), changed: target.role !== role };
    });
    // The member's token and the keys they hold are capped by the new role from their next request, on every instance.
    if (changed) await this.membershipCache.changed({ organizationId: caller.organizationId, userId });
    return response;
  }

  /**
   * Removes a member and deletes their user account (their tokens stop working at once); audited as
   * member.removed. The keys they hold are revoked (reason member_removed), or handed to
   * `transferKeysTo`, another member who may hold keys; either way on every instance before this returns.
   */
  async remove(caller: UserPrincipal, userId: string, actor: AuditActor, transferKeysTo?: string): Promise<void> {
    if (transferKeysTo === userId) {
      throw new BadRequestException('transfer_keys_to must name another member, not the one being removed');
    }
    const keyChanges = await this.dataSource.transaction(async (tx) => {
      const { target, heir, callerRole, ownerCount } = await this.lockMembers(tx, caller, userId, transferKeysTo);
      if (target.role === 'owner') {
        if (callerRole !== 'owner') throw new ForbiddenException('Only an owner can remove an owner');
        if (ownerCount <= 1) throw new ConflictException(LAST_OWNER);
      }
      let changes: KeyChange[];
      let keys: Record<string, unknown>;
      if (transferKeysTo) {
        if (!heir) throw new NotFoundException('transfer_keys_to: no member with this user id in the organization');
        if (!KEY_HOLDER_ROLES.includes(heir.role)) {
          throw new BadRequestException(
            `transfer_keys_to names a ${heir.role}, who cannot hold API keys; name an owner, admin or developer`,
          );
        }
        changes = await this.apiKeys.transferKeysOf(tx, caller.organizationId, target.userId, heir.userId, actor);
        keys = { keys_transferred: changes.length, keys_transferred_to: heir.userId };
      } else {
        changes = await this.apiKeys.revokeKeysOf(tx, caller.organizationId, target.userId, actor, 'member_removed');
        keys = { keys_revoked: changes.length };
      }
      const { email } = await tx.findOneOrFail(User, { select: { id: true, email: true }, where: { id: target.userId } });
      await tx.delete(Membership, { id: target.id });
      await tx.delete(User, { id: target.userId });
      await this.audit.record(
        {
          organizationId: caller.organizationId,
          action: 'member.removed',
          actor,
          targetType: 'member',
          targetId: target.userId,
          // The key counts only when there were keys: each key has its own entry as well.
          metadata: { email, role: target.role, ...(changes.length ? keys : {}) },
        },
        tx,
      );
      return changes;
    });
    // Only after the commit: an instance that re-reads on these events must find the new state.
    await this.apiKeys.announce(keyChanges);
    await this.membershipCache.changed({ organizationId: caller.organizationId, userId });
  }

  /**
   * Locks the organization's owner memberships together with the target's, the caller's and the
   * heir's (who takes over keys), in one statement ordered by id (so two changes cannot deadlock),
   * and reads the committed state from them. Concurrent role changes and removals in the
   * organization queue here, so the last-owner rule, the caller's own rights and the heir's role are
   * checked against what is true now, not at request start.
   */
  private async lockMembers(
    tx: EntityManager,
    caller: UserPrincipal,
    targetUserId: string,
    heirUserId?: string,
  ): Promise<LockedMembers> {
    const rows = await tx
      .createQueryBuilder(Membership, 'membership')
      .setLock('pessimistic_write')
      .where('membership.organizationId = :organizationId', { organizationId: caller.organizationId })
      .andWhere('(membership.role = :owner OR membership.userId IN (:...userIds))', {
        owner: 'owner',
        userIds: heirUserId ? [targetUserId, caller.userId, heirUserId] : [targetUserId, caller.userId],
      })
      .orderBy('membership.id')
      .getMany();
    const callerRow = rows.find((row) => row.userId === caller.userId);
    if (!callerRow) throw new UnauthorizedException('Access token is no longer valid for this organization');
    if (callerRow.role !== 'owner' && callerRow.role !== 'admin') {
      throw new ForbiddenException(`Requires role owner or admin; you are ${callerRow.role}`);
    }
    const target = rows.find((row) => row.userId === targetUserId);
    if (!target) throw new NotFoundException(NOT_FOUND);
    return {
      target,
      heir: heirUserId ? rows.find((row) => row.userId === heirUserId) : undefined,
      callerRole: callerRow.role,
      ownerCount: rows.filter((row) => row.role === 'owner').length,
    };
  }
}

function toMemberResponse(
  membership: Pick<Membership, 'userId' | 'role' | 'createdAt'> & { user?: Pick<User, 'email' | 'name'> },
): MemberResponse {
  return {
    user_id: membership.userId,
    email: membership.user!.email,
    name: membership.user!.name,
    role: membership.role,
    created_at: membership.createdAt.toISOString(),
  };
}

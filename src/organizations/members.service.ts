import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditActor, AuditService } from '../audit/audit.service';
import { PasswordHasher } from '../auth/passwords';
import { UserPrincipal } from '../auth/principal';
import { User } from '../auth/user.entity';
import { isUniqueViolation } from '../common/database-errors';
import { Page, PageQueryDto, paginate } from '../common/pagination';
import { AddMemberDto } from './dto/add-member.dto';
import { MemberResponse } from './dto/member.response';
import { Membership } from './membership.entity';
import { Role } from './role';

const EMAIL_TAKEN = 'A user with this email already exists';
const LAST_OWNER = 'An organization must keep at least one owner';
const NOT_FOUND = 'Member not found';

interface LockedMembers {
  target: Membership;
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
    return this.dataSource.transaction(async (tx) => {
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
      return toMemberResponse({ ...target, role, user });
    });
  }

  /** Removes a member and deletes their user account (their tokens stop working at once); audited as member.removed. */
  async remove(caller: UserPrincipal, userId: string, actor: AuditActor): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const { target, callerRole, ownerCount } = await this.lockMembers(tx, caller, userId);
      if (target.role === 'owner') {
        if (callerRole !== 'owner') throw new ForbiddenException('Only an owner can remove an owner');
        if (ownerCount <= 1) throw new ConflictException(LAST_OWNER);
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
          metadata: { email, role: target.role },
        },
        tx,
      );
    });
  }

  /**
   * Locks the organization's owner memberships together with the target's and the caller's, in one
   * statement ordered by id (so two changes cannot deadlock), and reads the committed state from
   * them. Concurrent role changes and removals in the organization queue here, so the last-owner
   * rule and the caller's own rights are checked against what is true now, not at request start.
   */
  private async lockMembers(tx: EntityManager, caller: UserPrincipal, targetUserId: string): Promise<LockedMembers> {
    const rows = await tx
      .createQueryBuilder(Membership, 'membership')
      .setLock('pessimistic_write')
      .where('membership.organizationId = :organizationId', { organizationId: caller.organizationId })
      .andWhere('(membership.role = :owner OR membership.userId IN (:...userIds))', {
        owner: 'owner',
        userIds: [targetUserId, caller.userId],
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
    return { target, callerRole: callerRow.role, ownerCount: rows.filter((row) => row.role === 'owner').length };
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

import { ConflictException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditActor, AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../common/database-errors';
import { Membership } from '../organizations/membership.entity';
import { Organization } from '../organizations/organization.entity';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { MeResponse, SessionResponse } from './dto/session.response';
import { LoginAttempts } from './login-attempts';
import { PasswordHasher } from './passwords';
import { RegistrationAttempts } from './registration-attempts';
import { UserPrincipal } from './principal';
import { User } from './user.entity';
import { UserTokensService } from './user-tokens.service';

const BAD_LOGIN = 'Email or password is incorrect';
const NO_REQUEST = { clientIp: null, userAgent: null };
const emailTaken = () => new ConflictException('A user with this email already exists');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    private readonly passwords: PasswordHasher,
    private readonly tokens: UserTokensService,
    private readonly logins: LoginAttempts,
    private readonly registrations: RegistrationAttempts,
    private readonly audit: AuditService,
  ) {}

  /** Creates an organization and its first user, who becomes its owner; counted per client address. */
  async register(dto: RegisterDto, from: Pick<AuditActor, 'clientIp' | 'userAgent'> = NO_REQUEST): Promise<SessionResponse> {
    const attempt = await this.registrations.reserve(from.clientIp);
    try {
      return await this.createOwner(dto, from);
    } catch (err) {
      if (isServerFailure(err)) await this.registrations.abandoned(attempt);
      throw err;
    }
  }

  private async createOwner(dto: RegisterDto, from: Pick<AuditActor, 'clientIp' | 'userAgent'>): Promise<SessionResponse> {
    const email = dto.email.toLowerCase();
    const passwordHash = await this.passwords.hash(dto.password, from.clientIp ?? undefined);
    const { user, organization } = await this.dataSource
      .transaction(async (tx) => {
        if (await tx.exists(User, { where: { email } })) throw emailTaken();
        const organization = await tx.save(tx.create(Organization, { name: dto.organization_name }));
        const user = await tx.save(tx.create(User, { email, name: dto.name, passwordHash }));
        await tx.save(tx.create(Membership, { organizationId: organization.id, userId: user.id, role: 'owner' }));
        await this.audit.record(
          {
            organizationId: organization.id,
            action: 'member.added',
            actor: { ...from, type: 'user', id: user.id },
            targetType: 'member',
            targetId: user.id,
            metadata: { email, role: 'owner', via: 'registration' },
          },
          tx,
        );
        return { user, organization };
      })
      .catch((err: unknown) => {
        // Two registrations racing for one email: the unique index decides, with the same message.
        throw isUniqueViolation(err, 'UQ_users_email') ? emailTaken() : err;
      });
    return this.session(user, organization, 'owner');
  }

  /**
   * Logs a user in. A failure is reserved for the email and the address before the password is
   * checked (429 once either budget is spent); a right password gives it back.
   */
  async login(dto: LoginDto, ip: string | undefined): Promise<SessionResponse> {
    const email = dto.email.toLowerCase();
    const attempt = await this.logins.reserve(email, ip);
    try {
      const user = await this.users.findOne({
        select: { id: true, email: true, name: true, passwordHash: true },
        where: { email },
      });
      // A wrong password or an unknown email: the reserved failure stays counted.
      if (!(await this.passwords.verify(dto.password, user?.passwordHash, ip)) || !user) {
        throw new UnauthorizedException(BAD_LOGIN);
      }
      await this.logins.succeeded(attempt);
      const membership = await this.memberships.findOne({
        where: { userId: user.id },
        relations: { organization: true },
      });
      if (!membership?.organization) throw new UnauthorizedException(BAD_LOGIN);
      return await this.session(user, membership.organization, membership.role);
    } catch (err) {
      if (isServerFailure(err)) await this.logins.abandoned(attempt);
      throw err;
    }
  }

  async me(principal: UserPrincipal): Promise<MeResponse> {
    const membership = await this.memberships.findOne({
      where: { userId: principal.userId, organizationId: principal.organizationId },
      relations: { organization: true, user: true },
    });
    // Removed between the guard and here.
    if (!membership) throw new UnauthorizedException('Access token is no longer valid for this organization');
    return {
      user: toUserResponse(membership.user!),
      organization: { id: membership.organization!.id, name: membership.organization!.name },
      role: membership.role,
    };
  }

  private async session(user: User, organization: Organization, role: Membership['role']): Promise<SessionResponse> {
    return {
      access_token: await this.tokens.sign(user.id, organization.id),
      token_type: 'Bearer',
      expires_in: this.tokens.ttlSeconds,
      user: toUserResponse(user),
      organization: { id: organization.id, name: organization.name },
      role,
    };
  }
}

/** An error that is the server's doing (5xx or unexpected), not an answer about the attempt itself. */
function isServerFailure(err: unknown): boolean {
  return !(err instanceof HttpException) || err.getStatus() >= 500;
}

function toUserResponse(user: User) {
  return { id: user.id, email: user.email, name: user.name };
}

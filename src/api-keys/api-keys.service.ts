import { Inject, Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import type { Request } from 'express';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../common/database-errors';
import { ApiKeyPrincipal } from '../auth/principal';
import { appConfig } from '../config/app.config';
import { ApiKey } from './api-key.entity';
import { generateKey, parseKey } from './key-format';
import { grants, Scope } from './scopes';

export interface CreateKeyInput {
  name: string;
  scopes: Scope[];
  rateLimit?: number;
  expiresAt?: Date | null;
}

export const DEFAULT_RATE_LIMIT = 100;

/** Issues, verifies and revokes API keys; every read is scoped by organization. */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
  ) {}

  /** Creates a key; the plain key is returned here and nowhere else, ever. */
  async create(orgId: string, input: CreateKeyInput, userId: string): Promise<{ record: ApiKey; plainKey: string }> {
    for (let attempt = 1; ; attempt++) {
      const { plainKey, keyPrefix } = generateKey();
      const keyHash = await bcrypt.hash(plainKey, this.config.BCRYPT_COST);
      try {
        const saved = await this.keys.save(
          this.keys.create({
            organizationId: orgId,
            name: input.name,
            keyHash,
            keyPrefix,
            scopes: input.scopes,
            rateLimit: input.rateLimit ?? DEFAULT_RATE_LIMIT,
            expiresAt: input.expiresAt ?? null,
            createdBy: userId,
          }),
        );
        const { keyHash: _hash, ...record } = saved;
        return { record: record as ApiKey, plainKey };
      } catch (err) {
        // A prefix collision (1 in 36^8 per pair) is retried with a new key; nothing was written.
        if (!isUniqueViolation(err, 'UQ_api_keys_key_prefix') || attempt >= 3) throw err;
        this.logger.warn('Key prefix collision; drawing another key');
      }
    }
  }

  /** The key's record when the plain key is valid, active and unexpired; otherwise null. */
  async validate(plainKey: string): Promise<ApiKey | null> {
    try {
      return (await this.verify(plainKey)).record;
    } catch (err) {
      if (err instanceof UnauthorizedException) return null;
      throw err;
    }
  }

  /** Whether the key's scopes allow `scope` (`x:write` includes `x:read`). */
  checkScope(record: Pick<ApiKey, 'scopes'>, scope: Scope): boolean {
    return grants(record.scopes, scope);
  }

  /** Turns a presented key into the caller of the request, or throws 401 saying why. */
  async authenticate(plainKey: string, _req?: Request): Promise<ApiKeyPrincipal> {
    const { record } = await this.verify(plainKey);
    return {
      kind: 'api_key',
      keyId: record.id,
      organizationId: record.organizationId,
      scopes: record.scopes,
      rateLimit: record.rateLimit,
      createdBy: record.createdBy,
    };
  }

  private async verify(plainKey: string): Promise<{ record: ApiKey }> {
    const parsed = parseKey(plainKey);
    if (!parsed) throw new UnauthorizedException('API key is malformed');
    const record = await this.keys.findOne({
      select: {
        id: true, organizationId: true, name: true, keyHash: true, keyPrefix: true, scopes: true,
        rateLimit: true, expiresAt: true, lastUsedAt: true, status: true, createdBy: true,
        createdAt: true, revokedAt: true, revokedBy: true,
      },
      where: { keyPrefix: parsed.keyPrefix },
    });
    if (!record || !(await bcrypt.compare(plainKey, record.keyHash))) {
      throw new UnauthorizedException('API key is invalid');
    }
    if (record.status === 'revoked') throw new UnauthorizedException('API key has been revoked');
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) {
      throw new UnauthorizedException('API key has expired');
    }
    return { record };
  }

  async findOne(orgId: string, id: string): Promise<ApiKey> {
    const record = await this.keys.findOne({ where: { id, organizationId: orgId } });
    if (!record) throw new NotFoundException('API key not found');
    return record;
  }
}

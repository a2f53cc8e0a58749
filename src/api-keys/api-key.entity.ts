import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '../common/timestamps';
import { Organization } from '../organizations/organization.entity';
import type { Scope } from '../auth/scopes';

/** Stored state; `expired` is derived from expires_at, never stored. */
export type StoredKeyStatus = 'active' | 'revoked';

@Entity('api_keys')
@Index('IDX_api_keys_organization_created', ['organizationId', 'createdAt'])
// (organization_id, COALESCE(last_used_at, created_at)) for ?unused_for_days=: an expression index,
// created by migration UsageOutcomesAndRollups; TypeORM cannot describe it, so it leaves it alone.
@Index('IDX_api_keys_organization_last_activity', { synchronize: false })
// key_prefix of active keys issued before checksums (partial index, migration KeyChecksums): read once at start-up.
@Index('IDX_api_keys_legacy_prefix', { synchronize: false })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** bcrypt hash of the whole key; the key itself is never stored. */
  @Column({ name: 'key_hash', type: 'varchar', length: 72, select: false })
  keyHash: string;

  /** `sk_live_<8 chars>`: the lookup handle of a presented key. */
  @Index('UQ_api_keys_key_prefix', { unique: true })
  @Column({ name: 'key_prefix', type: 'varchar', length: 16 })
  keyPrefix: string;

  /**
   * Whether the key ends with its checksum (README, "For secret scanners"). Keys issued before
   * checksums are false (migration KeyChecksums); every key issued since is true.
   */
  @Column({ type: 'boolean', default: true })
  checksummed: boolean;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  /** Requests per 60-second window. */
  @Column({ name: 'rate_limit', type: 'integer' })
  rateLimit: number;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3, nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3, nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: StoredKeyStatus;

  /** A disabled key is refused (401) until enabled again; unlike revocation, this can be undone. */
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Canonical addresses and CIDRs (see ip-allowlist.ts) the key may be used from; empty: anywhere. */
  @Column({ name: 'ip_allowlist', type: 'text', array: true, default: () => "'{}'" })
  ipAllowlist: string[];

  /** A JSON object (at most 4 KB) handed to the code that checks the key. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  /**
   * The member the key acts for: its creator, or the member its keys were handed to when the creator
   * was removed. A key never grants more than this member's current role allows. Kept as a reference
   * on revoked keys even after that member leaves.
   */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreatedAt()
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', precision: 3, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_by', type: 'uuid', nullable: true })
  revokedBy: string | null;

  /** The key that replaced this one in a rotation; a key is rotated at most once. */
  @Column({ name: 'replaced_by_id', type: 'uuid', nullable: true })
  replacedById: string | null;

  @ManyToOne(() => ApiKey, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'replaced_by_id' })
  replacedBy?: ApiKey;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;
}

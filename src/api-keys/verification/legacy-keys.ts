import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiKey } from '../api-key.entity';
import { KeyEvents } from './key-events';

/**
 * The prefixes of active keys issued before keys carried a checksum, read once at start-up on each
 * instance. No such key is ever issued again, so the set can only shrink (a revocation, heard
 * through KeyEvents, takes the prefix out). It decides only whether a key without a valid checksum
 * deserves the normal verification: a stale entry (a key revoked while an instance missed the event)
 * is harmless, because that verification still runs and refuses it.
 */
@Injectable()
export class LegacyKeys implements OnModuleInit {
  private readonly logger = new Logger(LegacyKeys.name);
  private prefixes = new Set<string>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly events: KeyEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.events.on((event) => {
      if (event.type === 'revoked') this.prefixes.delete(event.keyPrefix);
    });
    // Served by the partial index IDX_api_keys_legacy_prefix, which holds exactly these rows.
    const rows = await this.keys.find({ select: { keyPrefix: true }, where: { checksummed: false, status: 'active' } });
    this.prefixes = new Set(rows.map((row) => row.keyPrefix));
    if (this.prefixes.size > 0) this.logger.log(`${this.prefixes.size} active keys issued before checksums are accepted without one`);
  }

  /** Whether a key with this prefix may be genuine without a checksum (no I/O). */
  has(keyPrefix: string): boolean {
    return this.prefixes.has(keyPrefix);
  }

  get size(): number {
    return this.prefixes.size;
  }
}

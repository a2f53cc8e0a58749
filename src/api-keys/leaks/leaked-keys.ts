import { HttpException, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuditActor } from '../../audit/audit.service';
import { BcryptScheduler } from '../../bcrypt/bcrypt-scheduler';
import { ApiKey } from '../api-key.entity';
import { ApiKeysService } from '../api-keys.service';
import { KeyFailures } from '../verification/key-failures';
import { parseKey } from '../verification/key-format';
import { KeyVerifier } from '../verification/key-verifier';

/** One string reported as leaked, with where it was found. */
export interface LeakCandidate {
  value: string;
  url?: string;
}

export interface LeakContext {
  /** How the leak reached us: a public report, or GitHub's secret scanning. Recorded in the audit entry. */
  source: 'report' | 'github';
  actor: AuditActor;
  /** The bcrypt scheduler's line this work waits in (the reporter's address, or GitHub). */
  line: string;
  /** bcrypt compares this report may cost, at most (candidates no cache or verifier knows). */
  maxCompares: number;
}

interface Suspect {
  value: string;
  url?: string;
  row: Pick<ApiKey, 'id' | 'keyPrefix' | 'status' | 'expiresAt' | 'keyHash'>;
}

/**
 * Finds the genuine keys among strings reported as leaked and revokes the active ones (reason
 * `leaked`, through ApiKeysService.revoke, so every instance drops them at once). The work is
 * bounded whatever is sent: duplicates count once; strings that are not well-formed keys with a
 * valid checksum (or a legacy prefix) cost nothing; the rest cost ONE query for the whole batch;
 * then a secret is checked by this process's cache or the cluster's verifier when either knows the
 * key, else by bcrypt, as a suspect key's compare, at most `maxCompares` per report and within the
 * prefix's wrong-secret budget (KeyFailures), so 1,000 real prefixes with wrong secrets cost as
 * much as a few.
 */
@Injectable()
export class LeakedKeys {
  private readonly logger = new Logger(LeakedKeys.name);

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly verifier: KeyVerifier,
    private readonly failures: KeyFailures,
    private readonly bcrypt: BcryptScheduler,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** The reported strings that are genuine keys (whatever their state); every active one among them is revoked. */
  async handle(candidates: LeakCandidate[], context: LeakContext): Promise<Set<string>> {
    const suspects = await this.suspects(candidates);
    const genuine: Suspect[] = [];
    const unvouched: Suspect[] = [];
    for (const suspect of suspects) {
      const answer = await this.verifier.vouch(suspect.row.keyPrefix, suspect.value);
      if (answer === 'match') genuine.push(suspect);
      else if (answer === 'unknown') unvouched.push(suspect);
    }
    genuine.push(...(await this.compare(unvouched, context)));
    for (const { row, url } of genuine) {
      if (row.status !== 'active' || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) continue;
      await this.apiKeys.revoke(row.id, undefined, context.actor, 'leaked', { source: context.source, ...(url ? { url } : {}) });
    }
    return new Set(genuine.map((suspect) => suspect.value));
  }

  /** Well-formed candidates (checksum valid, or a legacy prefix) whose prefix exists: one query for all. */
  private async suspects(candidates: LeakCandidate[]): Promise<Suspect[]> {
    const distinct = new Map<string, LeakCandidate>();
    for (const candidate of candidates) if (!distinct.has(candidate.value)) distinct.set(candidate.value, candidate);
    const parsed = [...distinct.values()].flatMap((candidate) => {
      const key = parseKey(candidate.value);
      return key && (key.checksummed || this.verifier.isLegacy(key.keyPrefix)) ? [{ ...candidate, keyPrefix: key.keyPrefix }] : [];
    });
    if (parsed.length === 0) return [];
    // = ANY(array): one statement whatever the batch's size (an IN list would prepare one per size).
    const rows = await this.keys
      .createQueryBuilder('key')
      .select(['key.id', 'key.keyPrefix', 'key.status', 'key.expiresAt'])
      .addSelect('key.keyHash')
      .where('key.keyPrefix = ANY(:prefixes)', { prefixes: [...new Set(parsed.map((key) => key.keyPrefix))] })
      .getMany();
    const byPrefix = new Map(rows.map((row) => [row.keyPrefix, row]));
    return parsed.flatMap(({ value, url, keyPrefix }) => {
      const row = byPrefix.get(keyPrefix);
      return row ? [{ value, url, row }] : [];
    });
  }

  /**
   * bcrypt for the candidates nobody vouched for, one at a time (a report takes one slot of the
   * scheduler's suspect line, never a burst), each paid from its prefix's wrong-secret budget.
   */
  private async compare(unvouched: Suspect[], context: LeakContext): Promise<Suspect[]> {
    const matched: Suspect[] = [];
    let compares = 0;
    for (const suspect of unvouched) {
      if (compares >= context.maxCompares) break;
      const { reservation } = await this.failures.reservePrefix(suspect.row.keyPrefix);
      if (!reservation.granted) continue;
      compares += 1;
      let match: boolean;
      try {
        match = await this.bcrypt.compare('key-suspect', suspect.value, suspect.row.keyHash, context.line);
      } catch (err) {
        await this.failures.release(reservation);
        // The scheduler's suspect line is full (503): the rest of this report waits for no one.
        if (err instanceof HttpException) {
          this.logger.warn(`Leak report cut short: ${err.message}`);
          break;
        }
        throw err;
      }
      if (match) {
        await this.failures.release(reservation);
        matched.push(suspect);
      }
    }
    return matched;
  }
}

import { registerAs } from '@nestjs/config';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { availableParallelism } from 'node:os';
import { trustProxyProblem } from './trust-proxy';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The environment the service reads; every variable is documented in the README. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Where the embedded database keeps its files when DATABASE_URL is unset; `memory://` keeps none. */
  @IsString()
  PGLITE_DATA_DIR = './.data/pglite';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /**
   * What this deployment's keys in Redis start with (failure budgets, key verifiers), so deployments
   * or test runs sharing one Redis do not count each other's failures.
   */
  @Matches(/^[\w.-]{1,64}$/, { message: 'REDIS_NAMESPACE must be 1-64 letters, digits, _ . or -' })
  REDIS_NAMESPACE = 'kaizen';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /**
   * The secret under which key verifiers (HMAC-SHA-256 of a key) are stored in Redis; every instance
   * must share it. Unset: one is generated on the first start and kept in the database.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'KEY_VERIFIER_SECRET must be at least 32 characters' })
  KEY_VERIFIER_SECRET?: string;

  /** How long a key's verifier stays in Redis without being used (each use renews it, capped at the key's expiry). */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(365 * 24 * 3600)
  KEY_VERIFIER_TTL_SECONDS = 7 * 24 * 3600;

  /** Access-token lifetime in seconds. */
  @Transform(toInt)
  @IsInt({ message: 'JWT_TTL must be a whole number of seconds' })
  @Min(60)
  @Max(30 * 24 * 3600)
  JWT_TTL = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 12;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Express "trust proxy": which proxies' X-Forwarded-For to believe for the client address
   * (e.g. `loopback`, `10.0.0.0/8,192.168.1.5`, or a hop count). Unset: none, the socket address counts.
   * `true` (trust anyone) is refused: see trustProxyProblem().
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** Verified keys kept in memory per process (each entry holds a digest, never the key). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  KEY_CACHE_MAX = 10_000;

  /** How long a verified key's state is served without re-reading it (it is then refreshed in the background). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  KEY_CACHE_FRESH_MS = 5_000;

  /** How often counted usage (last_used_at, hourly counts) is written to the database: without Redis, what a SIGKILL can lose. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  USAGE_FLUSH_MS = 1_000;

  /**
   * bcrypt jobs (key compares, password checks, hashes) run at once per process; more wait in
   * BcryptScheduler's queues. The default leaves one core to the event loop.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  BCRYPT_MAX_CONCURRENCY = Math.max(1, availableParallelism() - 1);

  /**
   * Failed key checks allowed per client address per minute before it gets 429. Each wrong secret
   * for a known prefix is a bcrypt compare (≈ 210 ms of CPU at cost 12), so this is also the bcrypt
   * work one address can cause per minute: 20, the fewest a client must be allowed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  KEY_FAILURES_PER_MINUTE = 20;

  /**
   * Wrong secrets per key prefix per minute that may cost a bcrypt compare (cluster-wide with Redis).
   * Past it, secrets for that prefix that no verifier vouches for are refused without bcrypt, while
   * the genuine key, known to the verified-key cache or the Redis verifier, keeps working.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  KEY_WRONG_SECRETS_PER_PREFIX = 10;

  /**
   * Registrations (new organizations) allowed per client address per hour, cluster-wide with
   * Redis. Each costs a bcrypt hash and creates rows, so a flood from one address stops here.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  REGISTRATIONS_PER_ADDRESS_PER_HOUR = 10;

  /**
   * Requests in flight shared between the organizations active at once (auth/organization-fair-share.ts):
   * while several are active, each may have ⌊slots / active⌋ (at least 1) in flight and its further
   * requests wait their turn; an organization alone is never held back. 0 turns the sharing off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  ORG_FAIR_SHARE_SLOTS = 4;

  /** Requests of one organization that may wait for its share; past it, 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  ORG_FAIR_SHARE_QUEUE = 1024;
}

export type AppConfig = EnvironmentVariables;

/** Validates process.env once at start-up; a bad value stops the service naming the variable. */
export function validateEnvironment(raw: Record<string, unknown>): AppConfig {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new Error(`Invalid environment: ${lines.join('; ')}`);
  }
  const trustProxy = env.TRUST_PROXY === undefined ? undefined : trustProxyProblem(env.TRUST_PROXY);
  if (trustProxy) throw new Error(`Invalid environment: ${trustProxy}`);
  // Unset elsewhere, the secret is generated on the first start and kept in the database (ServerSecrets),
  // so tokens survive restarts and work on every instance. Production names its own, from wherever it
  // keeps secrets, so that it can be rotated and is not readable by whoever can read the database.
  if (!env.JWT_SECRET && env.NODE_ENV === 'production') {
    throw new Error('Invalid environment: JWT_SECRET is required when NODE_ENV=production');
  }
  return env as AppConfig;
}

export const appConfig = registerAs('app', () => validateEnvironment(process.env));

import { registerAs } from '@nestjs/config';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
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
import { parseGithubScanningKeys } from './github-scanning-keys';
import { trustProxyProblem } from './trust-proxy';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' || value === '' ? false : value;
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
   * Lets webhook endpoints point at private, loopback, link-local, unique-local, CGNAT or unspecified
   * addresses (and plain http in production). Off by default: a webhook URL must not become a way
   * into the deployment's own network. Tests and local development set it.
   */
  @Transform(toBoolean)
  @IsBoolean({ message: 'WEBHOOK_ALLOW_PRIVATE_URLS must be true or false' })
  WEBHOOK_ALLOW_PRIVATE_URLS = false;

  /** How often each instance looks for due webhook deliveries (it also looks at once after its own events). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  WEBHOOK_POLL_MS = 500;

  /** How long one webhook delivery may take (connect, send, answer) before it counts as failed. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /**
   * The waits between a delivery's attempts, comma-separated, each a number with s, m or h
   * (default Svix's: about 28 h in 8 attempts). A delivery is `failed` after the last.
   */
  @Matches(/^\s*\d+(\.\d+)?\s*[smh]?\s*(,\s*\d+(\.\d+)?\s*[smh]?\s*){0,19}$/, {
    message: 'WEBHOOK_RETRY_SCHEDULE must be 1-20 comma-separated durations such as 5s,5m,30m,2h',
  })
  WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

  /**
   * The secret webhook signing secrets are encrypted under (AES-256-GCM, key derived with HKDF);
   * every instance must share it. Unset: one is generated on the first start and kept in the database.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'WEBHOOK_SECRETS_KEY must be at least 32 characters' })
  WEBHOOK_SECRETS_KEY?: string;

  /**
   * How often the key-policy job runs (revokes keys unused past their organization's limit, records
   * `api_key.expiring` 7 days and 1 day ahead). One instance at a time runs it (a lease in the database).
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(24 * 3600 * 1000)
  KEY_POLICY_JOB_MS = 60_000;

  /**
   * Leak reports (POST /api-keys/leaked, public) allowed per client address per hour, cluster-wide
   * with Redis. Each may cost one query and a few bcrypt compares.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  LEAK_REPORTS_PER_ADDRESS_PER_HOUR = 30;

  /**
   * GitHub's secret-scanning public keys, the JSON served at
   * https://api.github.com/meta/public_keys/secret_scanning. Unset: POST /secret-scanning/github answers 404.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  GITHUB_SECRET_SCANNING_KEYS?: string;

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
  if (env.GITHUB_SECRET_SCANNING_KEYS !== undefined) {
    try {
      parseGithubScanningKeys(env.GITHUB_SECRET_SCANNING_KEYS);
    } catch (err) {
      throw new Error(`Invalid environment: ${(err as Error).message}`);
    }
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

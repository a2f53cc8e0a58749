import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { appConfig } from '../config/app.config';

/** Secrets every instance of the cluster must share, by the environment variable that can set them. */
export type ServerSecretName = 'KEY_VERIFIER_SECRET' | 'JWT_SECRET' | 'WEBHOOK_SECRETS_KEY';

/**
 * Server-side secrets shared by every instance: the environment variable of that name when it is
 * set, otherwise one generated on the first start and kept in the database (table server_secrets),
 * so instances that start together still agree: each inserts its own draw with ON CONFLICT DO
 * NOTHING, then all read back the one that won. Never kept in Redis: a Redis dump must not hold
 * the secret that makes the verifiers stored there useful.
 */
@Injectable()
export class ServerSecrets {
  private readonly loaded = new Map<ServerSecretName, Promise<Buffer>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
  ) {}

  /** The named secret's bytes (read once per process). */
  get(name: ServerSecretName): Promise<Buffer> {
    let secret = this.loaded.get(name);
    if (!secret) {
      secret = this.load(name);
      this.loaded.set(name, secret);
      // A failed read (database down at start-up) is tried again by the next caller.
      secret.catch(() => this.loaded.delete(name));
    }
    return secret;
  }

  private async load(name: ServerSecretName): Promise<Buffer> {
    const fromEnv = this.config[name];
    if (fromEnv) return Buffer.from(fromEnv, 'utf8');
    await this.dataSource.query(
      'INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, randomBytes(32).toString('base64')],
    );
    const rows = (await this.dataSource.query('SELECT value FROM server_secrets WHERE name = $1', [name])) as {
      value: string;
    }[];
    return Buffer.from(rows[0].value, 'base64');
  }
}

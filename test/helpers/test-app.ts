import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { withEnv } from './env';

export interface TestApp {
  app: INestApplication;
  /** supertest bound to the app: `api().get('/api/v1/agents')`. */
  api: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/**
 * Starts the whole app as main.ts does, on DATABASE_URL or a fresh in-memory embedded database.
 * Its counters in Redis (failure budgets, key verifiers) are its own unless `redisNamespace` names
 * one that other instances share, so apps of one test file do not spend each other's budgets.
 */
export async function startTestApp(options: { redisNamespace?: string } = {}): Promise<TestApp> {
  // 12 random hex characters keep the name within REDIS_NAMESPACE's 64 characters whatever the pid.
  const namespace = options.redisNamespace ?? `${process.env.REDIS_NAMESPACE ?? 'kaizen-test'}-${randomUUID().slice(-12)}`;
  const app = await withEnv({ REDIS_NAMESPACE: namespace }, () => createApp());
  await app.init();
  const server = app.getHttpServer() as App;
  return { app, api: () => request(server), close: () => app.close() };
}

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createApp } from '../../src/app.factory';

export interface TestApp {
  app: INestApplication;
  /** supertest bound to the app: `api().get('/api/v1/agents')`. */
  api: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** Starts the whole app as main.ts does, on DATABASE_URL or a fresh in-memory embedded database. */
export async function startTestApp(): Promise<TestApp> {
  const app = await createApp();
  await app.init();
  const server = app.getHttpServer() as App;
  return { app, api: () => request(server), close: () => app.close() };
}

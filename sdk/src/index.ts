export { KaizenClient, type KaizenClientOptions, type RequestOptions } from './client';
export { KaizenApiError, KaizenTimeoutError, type ErrorBody, type RateLimitInfo } from './errors';
export type { Page } from './pagination';
export type { components, operations, paths } from '../generated/schema';

export { KaizenClient, type KaizenClientOptions } from './client';
export { KaizenApiError, type ErrorBody, type RateLimitInfo } from './errors';
export type { components, operations, paths } from '../generated/schema';

/**
 * What became of a request made with a key, judged by the response it got. Every request a key
 * makes is one of these, so the window count of /usage and the sum of a /usage/history bucket count
 * the same requests.
 */
export const USAGE_OUTCOMES = ['served', 'refused', 'denied', 'failed', 'rejected'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

export type OutcomeCounts = Record<UsageOutcome, number>;

export const noOutcomes = (): OutcomeCounts => ({ served: 0, refused: 0, denied: 0, failed: 0, rejected: 0 });

/**
 * served: 2xx/3xx; refused: 429 (the key's rate limit); denied: 401/403 after the key was verified
 * (a scope it lacks, an address it is not allowed from); failed: 5xx (the service could not answer);
 * rejected: any other 4xx (invalid input, not found, conflict).
 */
export function outcomeOf(status: number): UsageOutcome {
  if (status < 400) return 'served';
  if (status === 429) return 'refused';
  if (status === 401 || status === 403) return 'denied';
  if (status >= 500) return 'failed';
  return 'rejected';
}

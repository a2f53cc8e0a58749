import type Redis from 'ioredis';

// KEYS[i] is the counter of budget i; ARGV[2i-1] its limit, ARGV[2i] its window in ms.
// All or nothing, in one atomic step: if any budget is spent nothing is counted and the answer
// says when the latest spent one opens again; otherwise each counter grows by one (a new counter
// starts its window). Returns {granted (0/1), retryAfterMs, remaining}.
const RESERVE = `
local refused = false
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    refused = true
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = tonumber(ARGV[2 * i]) end
    if ttl > wait then wait = ttl end
  end
end
if refused then return {0, wait, 0} end
local remaining = nil
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
  local left = tonumber(ARGV[2 * i - 1]) - count
  if remaining == nil or left < remaining then remaining = left end
end
return {1, 0, remaining}`;

// Gives one attempt back to each counter that still holds one (never below zero).
const RELEASE = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0`;

// Returns {count, ttlMs}; {0, 0} when no window is open.
const PEEK = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

/** The scripts as ioredis commands: sent by SHA (EVALSHA), the text only when Redis lacks it. */
export interface AttemptCommands {
  kaizenAttemptReserve(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<[number, number, number]>;
  kaizenAttemptRelease(numberOfKeys: number, ...keys: string[]): Promise<number>;
  kaizenAttemptPeek(key: string): Promise<[number, number]>;
}

export function attemptCommands(client: Redis): Redis & AttemptCommands {
  const commands = client as Redis & Partial<AttemptCommands>;
  if (!commands.kaizenAttemptReserve) {
    // The number of keys varies per call (one budget or several): passed first, as EVAL takes it.
    client.defineCommand('kaizenAttemptReserve', { lua: RESERVE });
    client.defineCommand('kaizenAttemptRelease', { lua: RELEASE });
    client.defineCommand('kaizenAttemptPeek', { numberOfKeys: 1, lua: PEEK });
  }
  return commands as Redis & AttemptCommands;
}

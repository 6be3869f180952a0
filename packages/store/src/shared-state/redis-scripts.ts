// Lua scripts of the Redis shared state. Each runs atomically on the server, so "purge expired,
// count, take" can never interleave between replicas. Time comes from the server's TIME (one clock
// for every replica) wherever expiry is decided; window buckets use the writer's `at`, because a
// sample belongs to the moment the call ended, not to when its batch reached Redis.

const serverNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS[1] slots zset; ARGV limit, leaseMs, leaseId → 1 taken, 0 full. */
export const acquireSlotScript = `${serverNow}
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local leaseMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) >= limit then return 0 end
redis.call('ZADD', key, now + leaseMs, ARGV[3])
if redis.call('PTTL', key) < leaseMs * 2 then redis.call('PEXPIRE', key, leaseMs * 2) end
return 1
`;

/** KEYS[1] slots zset; ARGV leaseMs, leaseId… → leases still held (expired ones are not revived). */
export const renewSlotsScript = `${serverNow}
local key = KEYS[1]
local leaseMs = tonumber(ARGV[1])
local renewed = 0
for index = 2, #ARGV do
  if redis.call('ZSCORE', key, ARGV[index]) then
    redis.call('ZADD', key, 'XX', now + leaseMs, ARGV[index])
    renewed = renewed + 1
  end
end
if renewed > 0 and redis.call('PTTL', key) < leaseMs * 2 then redis.call('PEXPIRE', key, leaseMs * 2) end
return renewed
`;

/** KEYS[1] slots zset → live leases. */
export const slotsInFlightScript = `${serverNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
`;

/** KEYS[1] rate zset; ARGV limit, windowMs, member → {allowed 0|1, count, retryAfterMs}. */
export const consumeRateScript = `${serverNow}
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - windowMs)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, windowMs)
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
-- A limit below 1 refuses an empty window too: nothing to wait for but a whole window.
local retry = windowMs
if oldest[2] then retry = tonumber(oldest[2]) + windowMs - now end
if retry < 0 then retry = 0 end
return {0, count, retry}
`;

/** KEYS[1] breakers hash; ARGV scope, record JSON, channel, message JSON, ttlMs. */
export const setBreakerScript = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/**
 * KEYS[1] outcome hash, KEYS[2] latency list; ARGV bucketMs, retentionMs, latencyCapacity, then
 * (success 0|1, latencyMs or '', at) triples.
 */
export const recordOutcomesScript = `
local bucketMs = tonumber(ARGV[1])
local retentionMs = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local newest = nil
for index = 4, #ARGV, 3 do
  local success = ARGV[index]
  local latency = ARGV[index + 1]
  local at = tonumber(ARGV[index + 2])
  local bucket = math.floor(at / bucketMs)
  if success == '1' then
    redis.call('HINCRBY', KEYS[1], 's:' .. bucket, 1)
  else
    redis.call('HINCRBY', KEYS[1], 'f:' .. bucket, 1)
  end
  if latency ~= '' then redis.call('LPUSH', KEYS[2], ARGV[index + 2] .. ':' .. latency) end
  if newest == nil or at > newest then newest = at end
end
if newest ~= nil then
  local oldestKept = math.floor((newest - retentionMs) / bucketMs)
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if tonumber(string.sub(field, 3)) < oldestKept then redis.call('HDEL', KEYS[1], field) end
  end
end
redis.call('LTRIM', KEYS[2], 0, capacity - 1)
redis.call('PEXPIRE', KEYS[1], retentionMs * 2)
redis.call('PEXPIRE', KEYS[2], retentionMs * 2)
return 1
`;

/** KEYS[1] outcome hash, KEYS[2] latency list; ARGV bucketMs, firstBucket, cutoffAt → {s, f, latencies…}. */
export const readWindowScript = `
local firstBucket = tonumber(ARGV[2])
local cutoff = tonumber(ARGV[3])
local successes = 0
local failures = 0
local fields = redis.call('HGETALL', KEYS[1])
for index = 1, #fields, 2 do
  local field = fields[index]
  if tonumber(string.sub(field, 3)) >= firstBucket then
    if string.sub(field, 1, 1) == 's' then successes = successes + tonumber(fields[index + 1])
    else failures = failures + tonumber(fields[index + 1]) end
  end
end
local result = {successes, failures}
for _, entry in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local separator = string.find(entry, ':')
  if tonumber(string.sub(entry, 1, separator - 1)) >= cutoff then
    table.insert(result, string.sub(entry, separator + 1))
  end
end
return result
`;

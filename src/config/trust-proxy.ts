import proxyAddr from 'proxy-addr';

/** What TRUST_PROXY may say instead of `true`; shown whenever a value is refused. */
const WHAT_TO_SET =
  "set it to the proxies' addresses or subnets (e.g. TRUST_PROXY=172.28.0.0/24, or `loopback` for a proxy on " +
  'the same host), or to the number of proxies in front of the service (e.g. TRUST_PROXY=1)';

/** Express's `trust proxy` setting from TRUST_PROXY: a hop count or a list of addresses/subnets. */
export function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

/**
 * Why TRUST_PROXY cannot be used, or undefined when it can. `true` (and a /0 subnet) would believe
 * X-Forwarded-For from anyone, so every client could choose the address its failures are counted
 * against; lists are compiled with proxy-addr, the parser Express itself uses, so a typo stops
 * start-up here with the variable's name rather than later inside Express.
 */
export function trustProxyProblem(value: string): string | undefined {
  if (value === 'true') return `TRUST_PROXY=true trusts X-Forwarded-For from any client, so any client can pick its own address; ${WHAT_TO_SET}`;
  const parsed = parseTrustProxy(value);
  if (!Array.isArray(parsed)) return undefined;
  if (parsed.some((entry) => /\/0+$/.test(entry))) {
    return `TRUST_PROXY=${value} contains a /0 subnet, which trusts every address like TRUST_PROXY=true; ${WHAT_TO_SET}`;
  }
  try {
    proxyAddr.compile(parsed);
  } catch (err) {
    return `TRUST_PROXY: ${(err as Error).message}; ${WHAT_TO_SET}`;
  }
  return undefined;
}

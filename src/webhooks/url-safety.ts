import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import * as ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Why a webhook URL or the address it resolves to is refused; the message is safe to show the client. */
export class UnsafeUrlError extends Error {}

export interface UrlPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_URLS: private addresses (and, in production, plain http) allowed. */
  allowPrivate: boolean;
  /** NODE_ENV=production: https only unless allowPrivate. */
  production: boolean;
}

/**
 * Only globally routable unicast addresses: ipaddr.js names every other range (private, loopback,
 * linkLocal, uniqueLocal, carrierGradeNat, unspecified, multicast, reserved, 6to4, teredo, ...).
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The URL's host without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Parses and checks a webhook URL's form: http(s), no credentials, https only in production. */
export function parseWebhookUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('url must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UnsafeUrlError('url must use http or https');
  if (url.protocol === 'http:' && policy.production && !policy.allowPrivate) {
    throw new UnsafeUrlError('url must use https');
  }
  if (url.username || url.password) throw new UnsafeUrlError('url must not contain credentials');
  if (!url.hostname) throw new UnsafeUrlError('url must name a host');
  return url;
}

/** Every address `host` resolves to (the host itself when it is an IP literal). */
export async function resolveAll(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  const found = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
  return found.map((entry) => entry.address);
}

/**
 * At registration: the URL's form, then every address its host resolves to must be public (unless
 * allowed). A name that does not resolve is refused too: it could resolve anywhere later.
 */
export async function assertSafeWebhookUrl(raw: string, policy: UrlPolicy): Promise<URL> {
  const url = parseWebhookUrl(raw, policy);
  if (policy.allowPrivate) return url;
  let addresses: string[];
  try {
    addresses = await resolveAll(hostOf(url));
  } catch {
    throw new UnsafeUrlError(`url host ${url.hostname} does not resolve`);
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) {
    throw new UnsafeUrlError(
      `url host ${url.hostname} resolves to a private, loopback, link-local or otherwise non-public address`,
    );
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses non-public addresses: the check is made on the very
 * address the socket then connects to, so a name that resolves publicly at registration and
 * privately at delivery (DNS rebinding) is still refused. The Host header and TLS servername stay
 * the URL's host, since only the lookup is replaced.
 */
export function safeLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '');
      const allowed = allowPrivate ? addresses : addresses.filter((entry) => isPublicAddress(entry.address));
      if (allowed.length === 0) {
        const refused = Object.assign(new UnsafeUrlError(`${hostname} resolves to a non-public address`), {
          code: 'EUNSAFEADDRESS',
        });
        return callback(refused, options.all ? [] : '');
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

// Where webhooks may post: https to public addresses only, unless fleet settings allow http or internal targets; names are resolved and checked at send time, and the request goes to the address checked.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors';

/** What the fleet settings allow beyond https to public addresses. */
export interface WebhookTargetPolicy {
  /** `allowHttpWebhooks`: plain http:// (signed, but readable and changeable on the way). */
  allowHttp: boolean;
  /** `allowPrivateWebhookTargets`: loopback, private, link-local, CGNAT and unique-local addresses. */
  allowPrivate: boolean;
}

/** Resolves a host name to every address it has (dns.lookup with `all`); tests pass a stand-in. */
export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

/**
 * IPv4 networks a webhook must not reach by default: this host, the local networks, and what sits on
 * them (cloud metadata at 169.254.169.254, carrier-grade NAT, multicast and reserved space).
 */
const INTERNAL_IPV4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 reaches the local host
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const INTERNAL_IPV6: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['100::', 64], // discard-only
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

/** The same IPv4 network as embedded in IPv6 by NAT64 (64:ff9b::/96) and 6to4 (2002::/16). */
function embeddedForms(network: string, prefix: number): [string, number][] {
  const [a, b, c, d] = network.split('.').map(Number) as [number, number, number, number];
  const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
  return [
    [`64:ff9b::${network}`, 96 + prefix],
    [`2002:${hex(a, b)}:${hex(c, d)}::`, 16 + prefix],
  ];
}

const INTERNAL = new BlockList();
for (const [network, prefix] of INTERNAL_IPV4) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
  for (const [v6, v6prefix] of embeddedForms(network, prefix)) INTERNAL.addSubnet(v6, v6prefix, 'ipv6');
}
for (const [network, prefix] of INTERNAL_IPV6) INTERNAL.addSubnet(network, prefix, 'ipv6');

/** True for an address on this host or an internal network (IPv4-mapped IPv6 counts as its IPv4 address). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return INTERNAL.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** A webhook target the settings do not allow; the message says which setting would allow it. */
function refused(message: string): AppError {
  return new AppError(400, 'webhook_target_refused', message);
}

export function isTargetRefusal(err: unknown): err is AppError {
  return err instanceof AppError && err.code === 'webhook_target_refused';
}

/** The URL's host as an IP address when it is one (`[::1]` → `::1`), else null. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

function refusedAddress(url: URL, address: string): AppError {
  const what = literalAddress(url) === null ? `${url.hostname} resolves to the internal address ${address}` : `${address} is an internal address`;
  return refused(`The webhook host ${what}. To send alerts into internal networks, an admin must first allow internal webhook addresses in the fleet settings (allowPrivateWebhookTargets).`);
}

/** Checks what the URL itself says (scheme, a literal address); host names are checked when they are resolved. */
export function checkWebhookUrl(text: string, policy: WebhookTargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused('The webhook URL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused('A webhook URL must start with https://.');
  if (url.protocol === 'http:' && !policy.allowHttp) {
    throw refused('A webhook URL must use https://. To send alerts unencrypted, an admin must first allow plain http:// webhooks in the fleet settings (allowHttpWebhooks).');
  }
  const literal = literalAddress(url);
  if (literal !== null && !policy.allowPrivate && isInternalAddress(literal)) throw refusedAddress(url, literal);
  return url;
}

/** Resolves `url`'s host and refuses it when any of its addresses is internal (a mixed answer could be used to reach the internal one). */
function resolveAllowed(url: URL, policy: WebhookTargetPolicy, resolve: Resolver, callback: (err: Error | null, addresses: LookupAddress[]) => void): void {
  resolve(url.hostname, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0) return callback(Object.assign(new Error(`${url.hostname} has no address`), { code: 'ENOTFOUND' }), []);
    const internal = policy.allowPrivate ? undefined : addresses.find((entry) => isInternalAddress(entry.address));
    if (internal) return callback(refusedAddress(url, internal.address), []);
    callback(null, addresses);
  });
}

/**
 * When a webhook is created or changed: refuses the URL if its scheme or literal address is not allowed,
 * or its host name resolves to an internal address now. A name that does not resolve yet is accepted;
 * every delivery checks again anyway.
 */
export async function assertWebhookTarget(text: string, policy: WebhookTargetPolicy, resolve: Resolver = systemResolver, timeoutMs = 3_000): Promise<void> {
  const url = checkWebhookUrl(text, policy);
  if (literalAddress(url) !== null || policy.allowPrivate) return;
  const refusal = await new Promise<Error | null>((done) => {
    const timer = setTimeout(() => done(null), timeoutMs);
    resolveAllowed(url, policy, resolve, (err) => {
      clearTimeout(timer);
      done(isTargetRefusal(err) ? err : null);
    });
  });
  if (refusal) throw refusal;
}

/**
 * The `lookup` for the delivery's connection: resolves the host once, refuses internal addresses, and hands
 * the connection exactly the addresses it checked. A DNS answer that changes between the check and the
 * connect (rebinding) therefore cannot redirect the request.
 */
export function pinnedLookup(url: URL, policy: WebhookTargetPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (_hostname, options, callback) => {
    resolveAllowed(url, policy, resolve, (err, addresses) => {
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
      if (err || wanted.length === 0) {
        const failure: NodeJS.ErrnoException = err ?? Object.assign(new Error(`${url.hostname} has no IPv${String(options.family)} address`), { code: 'ENOTFOUND' });
        return options.all ? callback(failure, []) : callback(failure, '', 0);
      }
      if (options.all) return callback(null, wanted);
      callback(null, wanted[0]!.address, wanted[0]!.family);
    });
  };
}

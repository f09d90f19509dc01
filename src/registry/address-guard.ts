// SSRF guard: image references come from untrusted repositories, so without an operator rule a
// registry (and its redirects and token realm) may only be reached at public unicast addresses.
// The check runs inside the socket's DNS lookup, so the address checked is the address connected to
// (a DNS answer that changes between check and connect cannot slip through).
import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Injectable so tests never need real DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export class ForbiddenAddressError extends Error {
  constructor(hostname: string, address: string) {
    super(
      address === hostname
        ? `${hostname} is not a public address`
        : `${hostname} resolves to ${address}, which is not a public address`,
    );
    this.name = 'ForbiddenAddressError';
  }
}

/**
 * IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by RFC 4291) embeds an IPv4 address like the mapped
 * forms do, so the whole range is refused. ipaddr.js calls `::7f00:1` unicast and reads the dotted
 * form `::8.8.8.8` as IPv4-mapped, so Node's own parser decides membership.
 */
const IPV4_COMPATIBLE = new BlockList();
IPV4_COMPATIBLE.addSubnet('::', 96, 'ipv6');

/**
 * Whether an address is ordinary public unicast. Everything ipaddr.js classifies otherwise is refused:
 * loopback, private, link-local (cloud metadata), CGNAT, unique-local, unspecified, multicast,
 * reserved, and IPv6 forms that embed an IPv4 address (mapped, compatible, 6to4, NAT64, Teredo).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  if (isIP(address) === 6 && IPV4_COMPATIBLE.check(address, 'ipv6')) return false;
  // process() turns ::ffff:a.b.c.d into a.b.c.d so the IPv4 ranges apply to it.
  return ipaddr.process(address).range() === 'unicast';
}

/** Strips the brackets URL.hostname keeps around IPv6 literals. */
function bareHostname(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Node does not call `lookup` for IP literals, so those are checked before connecting. */
export function assertLiteralAllowed(hostname: string): void {
  const bare = bareHostname(hostname);
  if (isIP(bare) && !isPublicAddress(bare)) throw new ForbiddenAddressError(bare, bare);
}

/** A `lookup` for http(s).request that refuses the connection when any answer is not public. */
export function guardedLookup(resolver: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = answers.filter((a) => wanted === 0 || a.family === wanted);
        const refused = answers.find((a) => !isPublicAddress(a.address));
        if (refused) return callback(new ForbiddenAddressError(hostname, refused.address), '', 0);
        const first = usable[0];
        if (!first) {
          const error = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
          return callback(error, '', 0);
        }
        if (options.all) return callback(null, usable as never);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

// Where webhooks may go. Sandbox endpoints may target anything (local development needs localhost); production
// endpoints must be https and may not reach private, loopback, link-local or otherwise internal addresses unless
// WEBHOOK_ALLOW_PRIVATE_TARGETS=true. Checked at registration and again at each send, on the resolved address
// (the sender connects to the address this module checked, so a DNS answer cannot change in between).
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Environment } from '../db/schema/index.js';

// One list per family: a single BlockList matches every IPv4 address against the IPv6 rule ::ffff:0:0/96.
const internalV4 = new BlockList();
const internalV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) internalV4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) internalV6.addSubnet(network, prefix, 'ipv6');

/** True for addresses a production webhook must not reach (RFC 1918, loopback, link-local, CGNAT, ULA, ...). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return internalV4.check(mapped[1]!, 'ipv4');
  return family === 4 ? internalV4.check(address, 'ipv4') : internalV6.check(address, 'ipv6');
}

export interface UrlPolicy {
  env: Environment;
  allowPrivateTargets: boolean;
}

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

// IPv4 first: `localhost` answering ::1 before 127.0.0.1 would miss a receiver that listens on IPv4 only.
const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: false });

/** Why a URL is not an acceptable webhook target, or undefined when it is (syntax and scheme only). */
export function urlProblem(raw: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Url is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Url must use http or https';
  if (url.username || url.password) return 'Url must not contain credentials';
  if (url.hash) return 'Url must not contain a fragment';
  if (policy.env === 'production' && url.protocol !== 'https:' && !policy.allowPrivateTargets) return 'Url must use https for production endpoints';
  return undefined;
}

/**
 * Resolves the URL's host and answers the address to connect to, or why it may not be used. Every resolved
 * address must be acceptable (a name that resolves to one public and one private address is refused).
 */
export async function resolveTarget(
  raw: string,
  policy: UrlPolicy,
  lookup: Lookup = systemLookup,
): Promise<{ ok: true; address: string; family: number } | { ok: false; problem: string }> {
  const problem = urlProblem(raw, policy);
  if (problem) return { ok: false, problem };
  const hostname = new URL(raw).hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await lookup(hostname);
  } catch {
    return { ok: false, problem: `Url host ${hostname} does not resolve` };
  }
  if (addresses.length === 0) return { ok: false, problem: `Url host ${hostname} does not resolve` };
  const restricted = policy.env === 'production' && !policy.allowPrivateTargets;
  if (restricted && addresses.some((a) => isInternalAddress(a.address))) {
    return { ok: false, problem: 'Url must not target a private, loopback or link-local address for production endpoints' };
  }
  return { ok: true, address: addresses[0]!.address, family: addresses[0]!.family };
}

/** Small, dependency-free IPv4 CIDR arithmetic used by the schema's network rules. */

export interface ParsedCidr {
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; undefined when malformed or when host bits are set. */
export function parseCidr(value: string): ParsedCidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  if ((base & ~mask(prefix)) >>> 0 !== 0) return undefined;
  return { base, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || i.prefix < o.prefix) return false;
  return ((i.base & mask(o.prefix)) >>> 0) === o.base;
}

/** True when the two ranges share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  const p = Math.min(x.prefix, y.prefix);
  return ((x.base & mask(p)) >>> 0) === ((y.base & mask(p)) >>> 0);
}

/** First and last address of a CIDR as unsigned numbers; undefined when malformed. */
export function cidrRange(value: string): [number, number] | undefined {
  const c = parseCidr(value);
  if (!c) return undefined;
  return [c.base, c.base + 2 ** (32 - c.prefix) - 1];
}

/** The union of the CIDRs as sorted, merged, disjoint `[first, last]` address ranges. */
export function mergeCidrs(values: readonly string[]): [number, number][] {
  const ranges = values
    .map(cidrRange)
    .filter((r): r is [number, number] => r !== undefined)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [first, last] of ranges) {
    const top = merged[merged.length - 1];
    if (top && first <= top[1] + 1) top[1] = Math.max(top[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/** Number of addresses the CIDRs cover together (overlaps counted once). */
export function addressesCovered(values: readonly string[]): number {
  return mergeCidrs(values).reduce((n, [first, last]) => n + (last - first + 1), 0);
}

/** All 2^32 IPv4 addresses. */
export const IPV4_ADDRESSES = 2 ** 32;

/** The RFC 1918 private ranges (a VPC should use one; its routes then never shadow the internet). */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/**
 * Ranges that are never publicly routable (RFC 6890): private, shared (carrier-grade NAT),
 * loopback, link-local, "this network", multicast and reserved. A public allow-list entry inside
 * one of them can never match a client on the internet.
 */
export const NON_PUBLIC_RANGES = [
  '0.0.0.0/8',
  ...PRIVATE_RANGES,
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
] as const;

/** The first of `ranges` that contains `value`, if any. */
export function containedIn(value: string, ranges: readonly string[]): string | undefined {
  return ranges.find((r) => cidrContains(r, value));
}

import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** Keyed hash of an address: stable for rate limits and lookups, useless without the key. */
export function hashIp(key: Buffer, ip: string): string {
  return createHmac('sha256', key).update(normaliseIp(ip)).digest('hex');
}

/** IPv4 to /24, IPv6 to /48: enough for an operator to see a network, not a person. */
export function ipPrefix(ip: string): string {
  const addr = normaliseIp(ip);
  if (isIPv4(addr)) return `${addr.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(addr)) {
    const groups = expandIpv6(addr).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, ''));
    return `${groups.join(':')}::/48`;
  }
  return 'unknown';
}

function normaliseIp(ip: string): string {
  // IPv4-mapped IPv6 (::ffff:203.0.113.7) is how dual-stack sockets report IPv4 peers.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped?.[1] ?? ip.toLowerCase();
}

function expandIpv6(addr: string): string[] {
  const [head = '', tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = addr.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t];
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/FxiOS\/(\d+)/, 'Firefox'],
  [/CriOS\/(\d+)/, 'Chrome'],
  [/Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** Browser family, major version and OS family only (`Chrome 131 / Linux`): never the full string. */
export function coarseUserAgent(ua: string | undefined): string {
  if (!ua) return 'unknown';
  let browser = 'Other';
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) {
      browser = `${name} ${m[1]}`;
      break;
    }
  }
  const os = SYSTEMS.find(([re]) => re.test(ua))?.[1] ?? 'Other';
  return `${browser} / ${os}${/Mobi/.test(ua) ? ' (mobile)' : ''}`;
}

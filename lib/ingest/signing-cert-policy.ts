import { isSafeAwsUrl } from '../config/load-config.ts';

/**
 * Which URLs the ingest may ever fetch: SMN's signing certificate and the subscription
 * confirmation link. Anything else in a delivery (a URL on another host, plain http to the
 * internet) is refused before any request is made, so a forged delivery cannot make the
 * function fetch attacker-chosen URLs or trust an attacker's certificate.
 */

/**
 * Regions whose SMN API host is not under `myhuaweicloud.com` in Huawei's SDK region table
 * (huaweicloud-sdk-python-v3, `smn_region.py`). UNVERIFIED whether `signing_cert_url` follows
 * these exceptions, so both domains are allowed for them (both are Huawei's).
 */
const SMN_DOMAIN_EXCEPTIONS: Readonly<Record<string, string>> = {
  'cn-north-2': 'myhuaweicloud.cn',
  'eu-west-101': 'myhuaweicloud.eu',
};

/**
 * Hosts of `subscribe_url`: the console (Huawei's unmasked sample uses console.huaweicloud.com;
 * the international console's host is UNVERIFIED but equally Huawei's), plus the certificate
 * hosts.
 */
export const CONSOLE_HOSTS: readonly string[] = ['console.huaweicloud.com', 'console-intl.huaweicloud.com'];

/**
 * SMN's own hosts for the configured regions: `smn.{region}.myhuaweicloud.com`, the host of the
 * unmasked sample `signing_cert_url` (https://support.huaweicloud.com/intl/en-us/api-rgc/AcceptSmnMessage.html).
 */
export function defaultSigningCertHosts(regions: Iterable<string>): string[] {
  const hosts = new Set<string>();
  for (const region of regions) {
    hosts.add(`smn.${region}.myhuaweicloud.com`);
    const exception = SMN_DOMAIN_EXCEPTIONS[region];
    if (exception !== undefined) hosts.add(`smn.${region}.${exception}`);
  }
  return [...hosts];
}

export type UrlPolicyFailure = 'url_invalid' | 'url_not_https' | 'host_not_allowed';
export type UrlPolicyResult = { ok: true; url: URL } | { ok: false; reason: UrlPolicyFailure };

/**
 * Checks a URL found in a delivery against an allow-list of hosts. An entry `host` matches that
 * host on the default port; `host:port` matches exactly (the local emulator). Only https, or
 * plain http to a loopback host (the same rule as every other endpoint of this project).
 * Credentials in the URL are refused.
 */
export function checkFetchableUrl(value: string, allowedHosts: readonly string[]): UrlPolicyResult {
  if (!URL.canParse(value)) return { ok: false, reason: 'url_invalid' };
  const url = new URL(value);
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'url_invalid' };
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isSafeAwsUrl(url.href));
  if (!secure) return { ok: false, reason: 'url_not_https' };
  const allowed = allowedHosts.some((entry) => {
    const host = entry.toLowerCase();
    return host.includes(':') && !host.startsWith('[') ? host === url.host : matchesHost(host, url);
  });
  return allowed ? { ok: true, url } : { ok: false, reason: 'host_not_allowed' };
}

function matchesHost(entry: string, url: URL): boolean {
  // `[::1]:8080` names a port after a bracketed IPv6 address; `[::1]` alone does not.
  if (entry.startsWith('[') && entry.includes(']:')) return entry === url.host;
  return entry === url.hostname && url.port === '';
}

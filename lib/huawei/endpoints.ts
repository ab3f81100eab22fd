/**
 * Endpoint rules for Huawei Cloud KMS and IAM (docs/huawei-kms.md#iam-tokens, docs/huawei-kms.md#endpoints). Region ids are
 * checked against a strict pattern before they are put into a host name, so a hostile or
 * mistyped region can never point the function (and its signatures or tokens) at another host.
 */

import { isRegionId, REGION_ID_PATTERN } from './id-patterns.ts';

export { isRegionId, REGION_ID_PATTERN };

/** Regions whose public endpoints are not under `myhuaweicloud.com` (docs/huawei-kms.md#endpoints: Europe/Dublin). */
const REGION_DOMAIN_OVERRIDES: Readonly<Record<string, string>> = {
  'eu-west-101': 'myhuaweicloud.eu',
};

const DEFAULT_DOMAIN = 'myhuaweicloud.com';

/** The global IAM endpoint (docs/huawei-kms.md#iam-tokens: the Node.js SDK `Constants.DEFAULT_IAM_ENDPOINT`). */
export const GLOBAL_IAM_ENDPOINT = 'https://iam.myhuaweicloud.com';

function domainFor(region: string): string {
  if (!isRegionId(region)) {
    // Never echo an unbounded value; a region id is short and not secret.
    throw new Error(`invalid Huawei region id ${JSON.stringify(region.slice(0, 40))}`);
  }
  return REGION_DOMAIN_OVERRIDES[region] ?? DEFAULT_DOMAIN;
}

/**
 * The KMS endpoint of a region: `https://kms.{region}.myhuaweicloud.com`
 * (`.myhuaweicloud.eu` for `eu-west-101`), docs/huawei-kms.md#endpoints.
 *
 * @throws Error when `region` does not match {@link REGION_ID_PATTERN}.
 */
export function kmsEndpointFor(region: string): string {
  return `https://kms.${region}.${domainFor(region)}`;
}

/**
 * The IAM endpoint of a region: `https://iam.{region}.myhuaweicloud.com`
 * (`.myhuaweicloud.eu` for `eu-west-101`), or the global {@link GLOBAL_IAM_ENDPOINT} when no
 * region is given (docs/huawei-kms.md#iam-tokens).
 *
 * @throws Error when `region` is given and does not match {@link REGION_ID_PATTERN}.
 */
export function iamEndpointFor(region?: string): string {
  if (region === undefined) return GLOBAL_IAM_ENDPOINT;
  return `https://iam.${region}.${domainFor(region)}`;
}

/**
 * The STS endpoint of a region, `https://sts.{region}.myhuaweicloud.com` (docs/huawei-kms.md#sts-agency;
 * the host Cloud Custodian's Huawei provider calls AssumeAgency on).
 *
 * @throws Error when `region` does not match {@link REGION_ID_PATTERN}.
 */
export function stsEndpointFor(region: string): string {
  return `https://sts.${region}.${domainFor(region)}`;
}

/** Whether `hostname` (as `URL.hostname` gives it) is this machine: 127.0.0.0/8, `::1` or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  // URL has already normalised IPv4 shorthands (127.1 → 127.0.0.1) and lower-cased names.
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const octets = hostname.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^[0-9]{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * Checks an endpoint before anything is signed for it or sent to it, and returns it parsed.
 * Allowed: `https:`; `http:` only for a loopback host (127.0.0.0/8, `::1`, `localhost`), for the
 * local emulator. Rejected: other schemes, credentials in the URL, a query or fragment.
 * AK/SK signatures can be replayed for 15 minutes (docs/huawei-kms.md#aksk-signing, APIGW.0303) and IAM tokens live 24 h
 * (docs/huawei-kms.md#iam-tokens), so neither may travel in clear text.
 *
 * @throws Error naming the problem (the config layer wraps it in a ConfigError).
 */
export function assertSafeEndpoint(endpoint: string | URL): URL {
  let url: URL;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : new URL(endpoint.href);
  } catch {
    // Without the parser's error as cause: it holds the whole value (`input`), credentials included.
    throw new Error('endpoint is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`endpoint must use https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Error(`endpoint ${url.host} uses plain http; only https is allowed (http only for a loopback host)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('endpoint must not contain credentials');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error('endpoint must not contain a query or a fragment');
  }
  return url;
}

/**
 * Endpoints of the services the bridge wires up: SMN (`https://smn.{region}.myhuaweicloud.com`,
 * docs/huawei-kms.md#smn-api) and CTS (`https://cts.{region}.myhuaweicloud.com`,
 * docs/huawei-kms.md#cts-notifications). They follow the same domain rules as KMS (including
 * `.myhuaweicloud.eu` for eu-west-101), so they are derived from `kmsEndpointFor`, which also
 * validates the region id before it goes into a host name.
 */
import { kmsEndpointFor } from '../huawei/endpoints.ts';

function serviceEndpoint(service: 'smn' | 'cts', region: string): string {
  return kmsEndpointFor(region).replace(/^https:\/\/kms\./, `https://${service}.`);
}

/** `https://smn.{region}.myhuaweicloud.com`. @throws Error for an invalid region id. */
export function smnEndpointFor(region: string): string {
  return serviceEndpoint('smn', region);
}

/** `https://cts.{region}.myhuaweicloud.com`. @throws Error for an invalid region id. */
export function ctsEndpointFor(region: string): string {
  return serviceEndpoint('cts', region);
}

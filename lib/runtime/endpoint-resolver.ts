import { assertSafeEndpoint } from '../huawei/endpoints.ts';

/** The endpoint of a region: the override when configured (`{region}` substituted), else Huawei's. */
export function endpointResolver(override: string | undefined, standard: (region: string) => string) {
  return (region: string): string => {
    const url = override === undefined ? standard(region) : override.replaceAll('{region}', region);
    return assertSafeEndpoint(url).href.replace(/\/+$/, '');
  };
}

import type { ParseResult } from './kms-responses.ts';
import type { KmsTarget } from './types.ts';

/**
 * The part of kms-client.ts's `KmsRequestSender` that the operation modules beside the client
 * (kms-tags-client.ts, kms-alias-deletion.ts) build on: one signed request per call, no retries,
 * failures typed and classified where they are born. Stated here, once, so those modules need not
 * import the client (which spreads their operations into itself: that would be an import loop).
 */
export interface KmsOperationSender {
  send<T>(
    spec: {
      operation: string;
      target: KmsTarget;
      method: 'GET' | 'POST' | 'DELETE';
      path: string;
      payload?: Record<string, unknown>;
      parse: (json: unknown) => ParseResult<T>;
    },
    signal: AbortSignal | undefined,
  ): Promise<T & { requestId: string | undefined }>;
  checkKeyId(operation: string, keyId: string): void;
  refuse(operation: string, reason: string): Error;
}

// Error bodies in the three shapes Huawei uses (docs/huawei-kms.md#error-bodies):
//   flat     – API Gateway: {"error_msg","error_code","request_id"}
//   nested   – KMS:         {"error":{"error_code","error_msg"}}
//   keystone – IAM:         {"error":{"code":401,"message","title"}}
//   smn      – SMN v2:      {"request_id","code","message"} (SMN API reference "Error Codes" examples;
//              the exact body is not in the project's sources, so clients must read every shape)
// A handler throws HuaweiError; the server turns it into a body with `errorBody`.

export type ErrorShape = 'flat' | 'nested' | 'keystone' | 'smn';

export class HuaweiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly shape: ErrorShape;

  constructor(status: number, code: string, message: string, shape: ErrorShape) {
    super(message);
    this.name = 'HuaweiError';
    this.status = status;
    this.code = code;
    this.shape = shape;
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

export function errorBody(error: HuaweiError, requestId: string): unknown {
  switch (error.shape) {
    case 'flat':
      return { error_msg: error.message, error_code: error.code, request_id: requestId };
    case 'nested':
      return { error: { error_code: error.code, error_msg: error.message } };
    case 'keystone':
      return { error: { code: error.status, message: error.message, title: TITLES[error.status] ?? 'Error' } };
    case 'smn':
      return { request_id: requestId, code: error.code, message: error.message };
  }
}

/** API Gateway errors, raised before KMS sees the request (docs/huawei-kms.md#error-codes "API Gateway codes"). */
export const gatewayError = {
  /** 404 APIGW.0101: wrong path or method. */
  apiNotFound: (): HuaweiError =>
    new HuaweiError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment', 'flat'),
  /** 401 APIGW.0301 (docs/huawei-kms.md#error-codes; messages modelled on Huawei doc ocr_01_0063 "verify aksk signature fail" / "decrypt token fail"). */
  authFailed: (detail: string): HuaweiError =>
    new HuaweiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`, 'flat'),
  /**
   * 401 APIGW.0303: X-Sdk-Date more than 15 min off. Status is unverified in docs/huawei-kms.md#error-codes; the message
   * follows the Huawei doc devg-apisign FAQ example "signature expired, signature time:...,server time:...".
   */
  signatureExpired: (signatureTime: string, serverTime: string): HuaweiError =>
    new HuaweiError(
      401,
      'APIGW.0303',
      `Incorrect IAM authentication information: signature expired, signature time:${signatureTime},server time:${serverTime}`,
      'flat',
    ),
  /**
   * 403 APIGW.0302: inferred, unverified (docs/huawei-kms.md#error-codes lists 0302 as a 403 permission error; the APIG error
   * table reads "The IAM user is not authorized to access the API"). Used when the path project is
   * not the caller's, or a signed X-Project-Id / the token scope names another project.
   */
  forbidden: (detail: string): HuaweiError =>
    new HuaweiError(403, 'APIGW.0302', `The IAM user is not authorized to access the API: ${detail}`, 'flat'),
  /** 429 APIGW.0308 with the message quoted in docs/huawei-kms.md#error-codes. */
  throttled: (limit: number): HuaweiError =>
    new HuaweiError(
      429,
      'APIGW.0308',
      `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`,
      'flat',
    ),
  /** 413 APIGW.0201: AK/SK-signed bodies are limited to 12 MB (docs/huawei-kms.md#error-codes). */
  entityTooLarge: (): HuaweiError => new HuaweiError(413, 'APIGW.0201', 'Request entity too large', 'flat'),
} as const;

/** KMS service errors, nested shape, codes and statuses from docs/huawei-kms.md#error-codes (KMS table). */
export const kmsError = {
  internal: (): HuaweiError => new HuaweiError(500, 'KMS.0101', 'kms error.', 'nested'),
  invalidJson: (): HuaweiError => new HuaweiError(400, 'KMS.0202', 'Invalid JSON format in request body.', 'nested'),
  missingParam: (name: string): HuaweiError =>
    new HuaweiError(400, 'KMS.0204', `Required parameter is missing: ${name}.`, 'nested'),
  invalidKeyId: (): HuaweiError => new HuaweiError(400, 'KMS.0205', 'Invalid key_id.', 'nested'),
  invalidSequence: (): HuaweiError => new HuaweiError(400, 'KMS.0206', 'Invalid sequence.', 'nested'),
  /** KMS.0207: status unconfirmed, 404 is the likely status (docs/huawei-kms.md#error-codes, unverified); `keyNotFoundStatus` overrides it. */
  keyNotFound: (status: number): HuaweiError =>
    new HuaweiError(status, 'KMS.0207', 'The key does not exist.', 'nested'),
  keyDisabled: (): HuaweiError => new HuaweiError(400, 'KMS.0209', 'The key is disabled.', 'nested'),
  keyPendingDeletion: (): HuaweiError => new HuaweiError(400, 'KMS.0210', 'The key is pending deletion.', 'nested'),
  defaultKey: (): HuaweiError =>
    new HuaweiError(400, 'KMS.0211', 'Operations on a Default Master Key are not allowed.', 'nested'),
  /** KMS.0308 "Invalid XXX", the generic invalid-parameter error. */
  invalidParam: (what: string): HuaweiError => new HuaweiError(400, 'KMS.0308', `Invalid ${what}.`, 'nested'),
  invalidKeyAlias: (): HuaweiError => new HuaweiError(400, 'KMS.1101', 'Invalid key_alias.', 'nested'),
  /** KMS.1104 "Existing CMK alias"; 400 is unverified (docs/huawei-kms.md#error-codes). */
  duplicateKeyAlias: (): HuaweiError => new HuaweiError(400, 'KMS.1104', 'Existing CMK alias.', 'nested'),
} as const;

// Maps method + path to an operation. Paths are the KMS v1.0 ones of reference §1, §7, §9 and the
// IAM token path of §5a. Anything else is APIG's 404 APIGW.0101 (wrong host/path/method, §3).
import type { Operation } from './types.ts';

export interface Route {
  readonly operation: Operation;
  /** The `{project_id}` path segment of a KMS route. */
  readonly projectId?: string;
}

const KMS_PATH = /^\/v1\.0\/([^/]+)\/kms\/(create-key|list-keys|describe-key|aliases|alias\/associate)$/;

const KMS_ROUTES: Readonly<Record<string, Operation>> = {
  'POST create-key': 'createKey',
  'POST list-keys': 'listKeys',
  'POST describe-key': 'describeKey',
  'POST aliases': 'createAlias',
  'GET aliases': 'listAliases',
  'DELETE aliases': 'deleteAlias',
  'POST alias/associate': 'associateAlias',
};

export function route(method: string, pathname: string): Route {
  if (method === 'POST' && pathname === '/v3/auth/tokens') return { operation: 'iamToken' };
  const m = KMS_PATH.exec(pathname);
  if (!m) return { operation: 'unknown' };
  const [, projectId, action] = m;
  const operation = KMS_ROUTES[`${method} ${action ?? ''}`];
  return operation !== undefined && projectId !== undefined ? { operation, projectId } : { operation: 'unknown' };
}

import { loadConfig } from '../../lib/config/load-config.ts';
import { createReconcileHandler } from './app.ts';
import { buildReconcileDeps } from './build-deps.ts';

// Read once at cold start. Reconcile publishes nothing, so DLQ_URL is not required.
export const handler = createReconcileHandler(buildReconcileDeps(loadConfig(process.env, { requireDlqUrl: false })));

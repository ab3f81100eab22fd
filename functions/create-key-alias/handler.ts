import { loadConfig } from '../../lib/config/load-config.ts';
import { createHandler } from './app.ts';
import { buildDeps } from './build-deps.ts';

// Read once at cold start: a bad variable fails the init with a message that names it.
export const handler = createHandler(buildDeps(loadConfig(process.env)));

import { expect } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.ts';
import { ConfigError } from '../../lib/errors/app-error.ts';

/** The message of the `ConfigError` that `loadConfig(env)` throws; fails the test when it throws none. */
export function configErrorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

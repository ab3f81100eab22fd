import { createLogger, type Logger } from '../audit/create-logger.ts';
import type { LogLevel } from '../config/load-config.ts';

/** What every entry point's logger is built from: its settings and the values it must mask. */
export interface ServiceLoggerSettings {
  logLevel: LogLevel;
  serviceName: string;
  /** Every configured secret (AK/SK, token, ingest token): masked wherever it would appear. */
  secrets: readonly string[];
  /** Where log lines go (default stdout). */
  write?: ((line: string) => void) | undefined;
}

/** The JSON logger of a function or the CLI, the same shape for every entry point. */
export function createServiceLogger(settings: ServiceLoggerSettings): Logger {
  return createLogger({
    level: settings.logLevel,
    service: settings.serviceName,
    secrets: [...settings.secrets],
    ...(settings.write === undefined ? {} : { write: settings.write }),
  });
}

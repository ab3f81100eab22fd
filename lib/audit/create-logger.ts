import type { LogLevel } from '../config/load-config.ts';

/**
 * A structured JSON logger: one line per record on stdout, which Lambda's JSON log format
 * passes to CloudWatch as-is. Written by hand (about 40 lines) rather than Powertools Logger
 * because it must also scrub configured secrets from every line, and because cold start matters.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** The one audit record per message and decision. Always written, whatever the level. */
  audit(record: Record<string, unknown>): void;
  /** A CloudWatch EMF document, written as is (its `_aws` key must stay top level). */
  metrics(document: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Values that must never be printed (AK, SK, tokens, passwords). Any line holding one is masked. */
  secrets?: readonly string[];
  write?: (line: string) => void;
  now?: () => Date;
  service?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const service = options.service ?? 'kms-auto-alias';
  // Short secrets would mask innocent text; the shortest Huawei secret (an AK) is 20 characters.
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);

  const writeScrubbed = (document: Record<string, unknown>) => {
    let line = JSON.stringify(document);
    for (const secret of secrets) {
      if (line.includes(secret)) line = line.replaceAll(secret, '[REDACTED]');
    }
    write(line);
  };
  const emit = (level: string, message: string, fields: Record<string, unknown> | undefined) =>
    writeScrubbed({ level, time: now().toISOString(), service, message, ...fields });
  const at = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    // Upper-case levels: Lambda's JSON log format filters application logs on this key.
    if (LEVELS[level] >= threshold) emit(level.toUpperCase(), message, fields);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    audit: (record) => emit('INFO', 'decision', { log_type: 'audit', ...record }),
    metrics: writeScrubbed,
  };
}

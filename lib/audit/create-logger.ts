import type { LogLevel } from '../config/load-config.ts';
import { isoOfEpochMs } from '../events/iso-of-epoch-ms.ts';
import { type SecretRegistry, secretRegistry } from './secret-registry.ts';

/**
 * A structured JSON logger: one line per record on stdout, in the shape of the Powertools for
 * AWS Lambda logger (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_arn`,
 * `function_memory_size`, `function_name`, `function_request_id`, `xray_trace_id`, then the
 * record's own keys), so Lambda's JSON log format, its log-level filtering and Logs Insights read
 * it like any Powertools function's logs.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#standard-structured-keys
 *
 * Written by hand (about 100 lines) rather than with Powertools Logger: every value goes through
 * the secret registry before it is serialised, and the handler's cold start is a measured target.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * The one audit record per message and decision (`log_type: "audit"`). Always written, whatever
   * LOG_LEVEL says, at the level Lambda keeps (see {@link keptLevel}).
   *
   * The record must be plain data: strings, numbers, booleans, arrays and plain objects, as
   * lib/audit/build-audit-record.ts makes it (its tests hold it to that). It is serialised
   * without the walk that looks for Errors to write in full: on the audit line, once a message,
   * that walk and its compilation were 1.7 % of the handler's instructions. Every line is
   * still checked for secrets once serialised; an Error would only be written as `{}`.
   */
  audit(record: Record<string, unknown>): void;
  /**
   * A CloudWatch EMF document (its `_aws` key stays top level), written like an audit record and,
   * like one, plain data by contract.
   */
  metrics(document: Record<string, unknown>): void;
  /**
   * Puts this invocation's Lambda context on every following line of this logger (and of every
   * holder of it: the retry policy logs through the same object). Call it first thing in the
   * handler: Lambda runs one invocation at a time per instance, so the context is the current one
   * until the next call. Marks the first call `cold_start: true`.
   */
  addContext(context: InvocationContext): void;
}

/** The parts of the Lambda context a log line carries (aws-lambda's `Context` has them all). */
export interface InvocationContext {
  functionName: string;
  awsRequestId: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Lambda's application log levels (AWS_LAMBDA_LOG_LEVEL), by rank. */
const LAMBDA_LEVELS: Record<string, number> = { TRACE: 5, DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, FATAL: 50 };

/** A key made of digits only: an object orders the array-index ones before its other keys. */
const DIGITS = /^[0-9]+$/;

/** Keys the logger writes itself; a record's own key of that name is kept as `<name>_field`. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
]);

export interface LoggerOptions {
  level?: LogLevel;
  /**
   * The application log level Lambda filters at: Lambda sets AWS_LAMBDA_LOG_LEVEL when the
   * function uses the JSON log format with a level configured (the default reads it from there).
   * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html
   */
  lambdaLogLevel?: string | undefined;
  /** Values that must never be printed; registered in `registry` (the process-wide one by default). */
  secrets?: readonly string[];
  registry?: SecretRegistry;
  write?: (line: string) => void;
  now?: () => Date;
  service?: string;
  /** The X-Ray trace header of the current invocation (default: `_X_AMZN_TRACE_ID`, set by Lambda per invocation). */
  traceHeader?: () => string | undefined;
}

/**
 * The level at which audit records and metrics are written: INFO, or the level Lambda filters at
 * when an operator raised it above INFO. Lambda drops every line below its configured level (and
 * treats a line without a valid `level` as INFO), so a fixed INFO would lose the audit trail and
 * the metrics as soon as someone sets WARN or ERROR to quiet the logs; a fixed ERROR would make
 * every decision look like a failure. Lambda restarts the instances on a configuration change, so
 * the level read at cold start is the one in force.
 */
export function keptLevel(lambdaLogLevel: string | undefined): string {
  const rank = LAMBDA_LEVELS[lambdaLogLevel?.toUpperCase() ?? ''] ?? 0;
  return rank > LAMBDA_LEVELS.INFO! ? (lambdaLogLevel as string).toUpperCase() : 'INFO';
}

/** The Root part of an X-Ray trace header (`Root=1-...;Parent=...;Sampled=1`), as Powertools logs it. */
function traceIdOf(header: string | undefined): string | undefined {
  const root = header?.split(';').find((part) => part.startsWith('Root='));
  return root === undefined ? undefined : root.slice('Root='.length);
}

/** An error as a log value: JSON.stringify would write `{}`. */
function errorToJson(err: Error): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(err));
  return {
    name: err.name,
    message: err.message,
    ...own,
    ...(err.stack === undefined ? {} : { stack: err.stack }),
    ...(err.cause === undefined ? {} : { cause: err.cause }),
  };
}

const replacer = (_key: string, value: unknown): unknown => (value instanceof Error ? errorToJson(value) : value);

/**
 * Whether `value` needs {@link replacer}: it holds an Error (or something whose toJSON might give
 * one), or is too deep (or cyclic) to tell. A replacer function takes JSON.stringify off its fast
 * path for the whole line (about twice the time of a ~1 KB audit line), and almost no line holds
 * an Error, so it is looked for first, without allocating.
 */
function needsReplacer(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > 12 || value instanceof Error) return true;
  if (value instanceof Date) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (needsReplacer(item, depth + 1)) return true;
    return false;
  }
  // for-in also visits inherited enumerable keys: more than JSON writes, so never less careful.
  for (const key in value) if (needsReplacer((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const lambdaLevel = options.lambdaLogLevel ?? process.env.AWS_LAMBDA_LOG_LEVEL;
  const threshold = LEVELS[options.level ?? 'info'];
  const recordLevel = keptLevel(lambdaLevel);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const service = options.service ?? 'kms-auto-alias';
  const registry = options.registry ?? secretRegistry;
  const traceHeader = options.traceHeader ?? (() => process.env._X_AMZN_TRACE_ID);
  for (const secret of options.secrets ?? []) registry.register(secret);

  /**
   * Serialises first and scrubs only when a secret may be in the line: scrubbing copies every
   * object and string of the record, most of a line's CPU, for lines that almost never hold a
   * secret. A hit, or a value JSON cannot write (a cycle), takes the scrub-then-serialise path.
   */
  const serialise = (document: Record<string, unknown>, plainData = false): string => {
    try {
      const line =
        !plainData && needsReplacer(document, 0) ? JSON.stringify(document, replacer) : JSON.stringify(document);
      if (!registry.mayOccurIn(line)) return line;
    } catch {
      // A cycle: the scrubbed copy shows it as [Circular].
    }
    // Scrub the values, then serialise: an escaped secret can no longer slip past (secret-registry.ts).
    return JSON.stringify(registry.scrub(document), replacer);
  };

  let invocation: Record<string, unknown> = {};
  /** `invocation` serialised once per invocation, as it goes into a line: `,"cold_start":…` or `""`. */
  let invocationJson = '';
  let coldStart = true;

  /**
   * The line written without building the document: the standard keys, then the record
   * serialised as it is, in the order {@link emit}'s document has them (the same bytes). Copying
   * a record's keys into a new object one by one, each a keyed store that changes the object's
   * shape, cost more than serialising it (an audit line is ~30 keys, ~1.2 KB). `undefined` when
   * the document's own path must decide: a record that uses a reserved name (it is renamed
   * there), a value JSON cannot write (a cycle), or a line a secret may be in (scrubbed there).
   */
  const fastLine = (
    level: string,
    message: string,
    fields: Record<string, unknown> | undefined,
    logType: string | undefined,
  ): string | undefined => {
    let own = '';
    if (fields !== undefined) {
      // A plain object only: JSON would write an Error, a Date or an object with toJSON as a
      // whole value, where the document copies its own keys.
      const prototype = Object.getPrototypeOf(fields);
      if ((prototype !== Object.prototype && prototype !== null) || typeof fields.toJSON === 'function')
        return undefined;
      for (const key in fields) {
        // An integer-like key ("0") is an array index: the document lists it before every other key.
        // (The regex only for a key that starts with a digit: an audit record has some 40 keys.)
        const first = key.charCodeAt(0);
        if (first >= 48 && first <= 57 && DIGITS.test(key)) return undefined;
        if (RESERVED_KEYS.has(key) || key === 'log_type' || key === '__proto__') return undefined;
      }
      let json: string;
      try {
        // An audit record is plain data by contract (see Logger.audit): no Error to look for.
        json =
          logType !== 'audit' && needsReplacer(fields, 0) ? JSON.stringify(fields, replacer) : JSON.stringify(fields);
      } catch {
        return undefined;
      }
      // `{}`, or `{…}` whose braces go: JSON writes the own enumerable keys with a defined value,
      // as the document's copy keeps them.
      if (json.length > 2) own = `,${json.slice(1, -1)}`;
    }
    const line = `{"level":${JSON.stringify(level)},"message":${JSON.stringify(message)},"timestamp":"${isoOfEpochMs(now().getTime())}","service":${JSON.stringify(service)}${invocationJson}${logType === undefined ? '' : `,"log_type":${JSON.stringify(logType)}`}${own}}`;
    return registry.mayOccurIn(line) ? undefined : line;
  };

  const emit = (level: string, message: string, fields: Record<string, unknown> | undefined, logType?: string) => {
    const fast = fastLine(level, message, fields, logType);
    if (fast !== undefined) {
      write(fast);
      return;
    }
    const document: Record<string, unknown> = {
      level,
      message,
      timestamp: isoOfEpochMs(now().getTime()),
      service,
      ...invocation,
    };
    // Filled in place rather than through copies of the record: one object per line. A field
    // whose value is undefined is not copied: JSON leaves it out anyway, and an audit record has
    // a dozen or more of them, each a key to add, walk and skip again.
    if (logType !== undefined) document.log_type = logType;
    if (fields !== undefined) {
      for (const key in fields) {
        const value = fields[key];
        if (value !== undefined && Object.hasOwn(fields, key))
          document[RESERVED_KEYS.has(key) ? `${key}_field` : key] = value;
      }
    }
    write(serialise(document));
  };
  const at = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    // Upper-case levels: Lambda's JSON log format filters application logs on this key.
    if (LEVELS[level] >= threshold) emit(level.toUpperCase(), message, fields);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    audit: (record) => emit(recordLevel, 'decision', record, 'audit'),
    // EMF wants `_aws` and the metric values at the top level; the level keeps Lambda from
    // filtering the document out, and CloudWatch ignores keys it does not declare.
    // An EMF document is plain data (lib/audit/create-metrics.ts builds it): no Error to look for.
    metrics: (document) => write(serialise({ level: recordLevel, ...invocation, ...document }, true)),
    addContext(context) {
      const traceId = traceIdOf(traceHeader());
      invocation = {
        cold_start: coldStart,
        ...(context.invokedFunctionArn === undefined ? {} : { function_arn: context.invokedFunctionArn }),
        ...(context.memoryLimitInMB === undefined ? {} : { function_memory_size: Number(context.memoryLimitInMB) }),
        function_name: context.functionName,
        function_request_id: context.awsRequestId,
        ...(traceId === undefined ? {} : { xray_trace_id: traceId }),
      };
      const json = JSON.stringify(invocation);
      invocationJson = json.length > 2 ? `,${json.slice(1, -1)}` : '';
      coldStart = false;
    },
  };
}

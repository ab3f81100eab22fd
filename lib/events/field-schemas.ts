/**
 * Field-level zod schemas shared by every event shape. Each schema carries its own message, so
 * an `invalid` detail reads "cts.project_id: must be 32 characters of [0-9a-zA-Z]…" rather
 * than zod's generic text. Schemas are built once, on first use ({@link fieldSchemas}), not at
 * module load: a cold start should not pay for shapes no message has used yet.
 */
import * as z from 'zod/mini';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_IDENTIFIER_LENGTH,
  MAX_NAME_LENGTH,
  MAX_RESOURCE_ID_LENGTH,
} from './event-limits.ts';
import { lazySchema } from '../validation/lazy-schema.ts';
import { checkedString, compiledObject, preparedOptional } from '../validation/schema-builders.ts';
import { KEY_ID_PATTERN, PROJECT_ID_PATTERN, REGION_ID_PATTERN } from '../huawei/id-patterns.ts';
import { isoOfEpochMs } from './iso-of-epoch-ms.ts';
import { describeType, quoteInput } from './quote-input.ts';

export { KEY_ID_PATTERN, PROJECT_ID_PATTERN, REGION_ID_PATTERN };

/** Domain, user, trace and enterprise-project ids: hex, UUIDs, or `"0"`. */
const IDENTIFIER_PATTERN = /^[0-9a-zA-Z_-]+$/;

/**
 * Names and codes must not carry C0/C1 control characters: IAM names and CreateKey
 * enumerations never do, so one here means a forged or corrupted event. Rejecting them keeps
 * them out of the naming template and out of logs (the naming layer re-checks the alias anyway).
 */
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** Descriptions are free text typed into a console, so tab and line breaks are tolerated. */
const NO_CONTROL_CHARS_EXCEPT_WHITESPACE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;

const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2100, 0, 1);
const EPOCH_MS_TEXT = /^\d{1,16}$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const HTTP_STATUS_TEXT = /^\d{3}$/;

/** The shape zod hands to an `error` callback; only `input` is read. */
interface IssueInput {
  readonly input?: unknown;
}

/** "is required" for a missing value, "must be X, got <type>" otherwise. */
function typeError(what: string): (issue: IssueInput) => string {
  return (issue) =>
    issue.input === undefined ? `is required (${what})` : `must be ${what}, got ${describeType(issue.input)}`;
}

function emptyToAbsent(value: unknown): unknown {
  return value === null || value === '' ? undefined : value;
}

/**
 * Makes a field optional and treats `null` and `""` as absent: CTS and hand-written producers
 * both use them for "no value", and a normalised event never carries empty strings. A key present
 * with either comes out present and `undefined`.
 */
export function optionalField<T extends z.ZodMiniType>(schema: T): z.ZodMiniOptional<T> {
  return preparedOptional(schema, emptyToAbsent);
}

/** An object schema whose own type error reads "must be an object, got array". */
export function objectSchema<T extends z.core.$ZodLooseShape>(shape: T): z.ZodMiniObject<T, z.core.$strip> {
  return compiledObject(shape, { error: typeError('an object') });
}

function boundedString(what: string, max: number, charset: RegExp, charsetMessage: string) {
  return checkedString({ error: typeError(what) }).check(
    z.maxLength(max, { error: `must be at most ${max} characters`, abort: true }),
    z.regex(charset, { error: charsetMessage }),
  );
}

function epochMs(value: unknown): number | undefined {
  const ms = typeof value === 'string' && EPOCH_MS_TEXT.test(value) ? Number(value) : value;
  return typeof ms === 'number' && Number.isInteger(ms) && ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : undefined;
}

function isoMs(value: string): number | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || second > 59) return undefined;
  // Date.parse rolls 2026-02-30 over to March; a real timestamp never names a missing day.
  const midnight = new Date(Date.UTC(year, month - 1, day));
  if (midnight.getUTCMonth() !== month - 1 || midnight.getUTCDate() !== day) return undefined;
  const ms = Date.parse(value);
  return ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : undefined;
}

/** Builds every field schema; see {@link fieldSchemas}. */
function buildFieldSchemas() {
  /** KMS key id; the message quotes at most 40 characters of the bad value. */
  const KeyIdSchema = checkedString({ error: typeError('a KMS key id') }).check(
    z.maxLength(64, { error: 'must be a KMS key id (36 characters), got a longer string', abort: true }),
    z.regex(KEY_ID_PATTERN, {
      error: (issue) => `must be a KMS key id (8-4-4-4-12 characters of [0-9a-z]), got ${quoteInput(issue.input)}`,
    }),
  );

  /** IAM project id (32 characters of `[0-9a-zA-Z]`). */
  const ProjectIdSchema = checkedString({ error: typeError('a project id') }).check(
    z.maxLength(64, { error: 'must be a project id (32 characters), got a longer string', abort: true }),
    z.regex(PROJECT_ID_PATTERN, {
      error: (issue) => `must be 32 characters of [0-9a-zA-Z], got ${quoteInput(issue.input)}`,
    }),
  );

  /** Region id such as `cn-north-4`. */
  const RegionIdSchema = checkedString({ error: typeError('a region id') }).check(
    z.maxLength(64, { error: 'must be a region id such as "cn-north-4", got a longer string', abort: true }),
    z.regex(REGION_ID_PATTERN, {
      error: (issue) => `must be a region id such as "cn-north-4", got ${quoteInput(issue.input)}`,
    }),
  );

  /** Domain (account), user, trace and enterprise-project ids. */
  const IdentifierSchema = boundedString(
    'an id',
    MAX_IDENTIFIER_LENGTH,
    IDENTIFIER_PATTERN,
    'must be an id made of [0-9a-zA-Z_-]',
  );

  /** Short codes such as `key_spec`, `key_usage`, `origin`, `service_type`, user `type`. */
  const CodeSchema = boundedString(
    'a string',
    MAX_IDENTIFIER_LENGTH,
    NO_CONTROL_CHARS,
    'must not contain control characters',
  );

  /** Names: `key_alias`, IAM user and account names. */
  const NameSchema = boundedString(
    'a string',
    MAX_NAME_LENGTH,
    NO_CONTROL_CHARS,
    'must not contain control characters',
  );

  /** `resource_id`: a bare key id or a URN-like string ending with it (docs/huawei-kms.md#key-events, unverified). */
  const ResourceIdSchema = boundedString(
    'a string',
    MAX_RESOURCE_ID_LENGTH,
    NO_CONTROL_CHARS,
    'must not contain control characters',
  );

  /** `key_description`: free text; tab, CR and LF allowed, other control characters not. */
  const DescriptionSchema = boundedString(
    'a string',
    MAX_DESCRIPTION_LENGTH,
    NO_CONTROL_CHARS_EXCEPT_WHITESPACE,
    'must not contain control characters other than tab and line breaks',
  );

  /** Canonical `created_at`: ISO-8601 with an offset, or epoch ms → ISO-8601 UTC string. */
  const TimestampSchema = z.transform((value: unknown, ctx) => {
    const ms = typeof value === 'string' && !EPOCH_MS_TEXT.test(value) ? isoMs(value) : epochMs(value);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `must be an ISO-8601 date-time with offset, or epoch milliseconds, between 2000 and 2100; got ${quoteInput(value)}`,
      });
      return z.NEVER;
    }
    return isoOfEpochMs(ms);
  });

  /** CTS `code`: the HTTP status, a number or a digit string (the trace API stores strings, docs/huawei-kms.md#key-events). */
  const HttpStatusSchema = z.transform((value: unknown, ctx) => {
    const status = typeof value === 'string' && HTTP_STATUS_TEXT.test(value) ? Number(value) : value;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message:
          value === undefined
            ? 'is required (the HTTP status of the call)'
            : `must be an HTTP status (100-599, number or digit string), got ${quoteInput(value)}`,
      });
      return z.NEVER;
    }
    return status;
  });
  return {
    KeyIdSchema,
    ProjectIdSchema,
    RegionIdSchema,
    IdentifierSchema,
    CodeSchema,
    NameSchema,
    ResourceIdSchema,
    DescriptionSchema,
    TimestampSchema,
    HttpStatusSchema,
  };
}

/** The field schemas, built on first use and shared afterwards. */
export const fieldSchemas = lazySchema(buildFieldSchemas);

/**
 * Two zod/mini schemas built on zod's core with fewer layers than zod/mini composes them from, for
 * the schemas every message goes through (the event's fields, CreateAlias's answer). Each gives
 * the same values and issues as the composition it replaces (test/unit/validation holds them to it).
 */
import {
  $constructor,
  $ZodCheckMaxLength,
  $ZodCheckRegex,
  $ZodObjectJIT,
  $ZodOptional,
  $ZodString,
  _string,
} from 'zod/v4/core';
import type * as z from 'zod/mini';
import { maxLength, ZodMiniType } from 'zod/mini';

/** zod's initialisers, callable on the instances built below (they are assertion functions). */
type Init<I, D> = (inst: I, def: D) => void;
const miniTypeInit: Init<unknown, unknown> = ZodMiniType.init as Init<unknown, unknown>;

interface PreparedOptionalDef extends z.core.$ZodOptionalDef {
  prepare: (value: unknown) => unknown;
}

const ZodMiniPreparedOptional = $constructor(
  'ZodMiniOptional',
  (inst: z.core.$ZodOptional, def: PreparedOptionalDef) => {
    const init: Init<z.core.$ZodOptional, z.core.$ZodOptionalDef> = $ZodOptional.init;
    init(inst, def);
    miniTypeInit(inst, def);
    const parse = inst._zod.parse;
    const { prepare } = def;
    inst._zod.parse = (payload, ctx) => {
      payload.value = prepare(payload.value);
      return parse(payload, ctx);
    };
  },
);

/**
 * zod/mini's `optional(schema)` whose parse first hands the value to `prepare` (which returns
 * `undefined` for what counts as absent): one schema layer where
 * `pipe(transform(prepare), optional(schema))` is three (the pipe, the transform, the optional).
 * As with that pipe, a key present in the input comes out present, with `prepare`'s value.
 */
export function preparedOptional<T extends z.ZodMiniType>(
  schema: T,
  prepare: (value: unknown) => unknown,
): z.ZodMiniOptional<T> {
  const def: PreparedOptionalDef = { type: 'optional', innerType: schema, prepare };
  return new ZodMiniPreparedOptional(def) as unknown as z.ZodMiniOptional<T>;
}

const ZodMiniCompiledObject = $constructor('ZodMiniObject', (inst: z.core.$ZodObject, def: z.core.$ZodObjectDef) => {
  const init: Init<z.core.$ZodObject, z.core.$ZodObjectDef> = $ZodObjectJIT.init;
  init(inst, def);
  miniTypeInit(inst, def);
  (inst as { shape?: unknown }).shape = def.shape;
});

/**
 * zod/mini's `object(shape, params)` (of its params, the message or error map) on zod's compiled object parser (`$ZodObjectJIT`, the one
 * zod's classic API uses): on its first parse it generates one function for the shape, where the
 * interpreted parser loops over the keys through closures. Unknown keys are stripped, as
 * `z.object` does. zod falls back to the interpreted parser where code generation is refused.
 */
export function compiledObject<T extends z.core.$ZodLooseShape>(
  shape: T,
  params?: string | z.core.$ZodObjectParams,
): z.ZodMiniObject<T, z.core.$strip> {
  // As zod's normalizeParams reads them: a string is the message, an `error` the error map.
  const error = typeof params === 'string' ? params : params?.error;
  const def = {
    type: 'object',
    shape,
    ...(error === undefined ? {} : { error: typeof error === 'string' ? () => error : error }),
  } as z.core.$ZodObjectDef;
  return new ZodMiniCompiledObject(def) as unknown as z.ZodMiniObject<T, z.core.$strip>;
}

/** The `when` zod gives a length check by default (run on any value with a length), read once. */
const DEFAULT_LENGTH_WHEN = maxLength(1)._zod.def.when;

/**
 * The valid case of a string's checks decided in one step, when every check is one it can decide:
 * a `maxLength` with zod's default `when`, or a `regex` without `when`, `g` or `y`. A string
 * that passes them all gets no issue from zod's path either (a maximum counts code points, never
 * more than UTF-16 units); anything else goes through zod's path, which writes the issues.
 */
function validStringTest(checks: readonly z.core.$ZodCheck<never>[]): ((value: string) => boolean) | undefined {
  let maximum = Number.POSITIVE_INFINITY;
  const patterns: RegExp[] = [];
  for (const check of checks) {
    if (check instanceof $ZodCheckMaxLength && check._zod.def.when === DEFAULT_LENGTH_WHEN) {
      maximum = Math.min(maximum, check._zod.def.maximum);
    } else if (check instanceof $ZodCheckRegex && check._zod.def.when === undefined) {
      const pattern = check._zod.def.pattern;
      if (pattern.global || pattern.sticky) return undefined;
      patterns.push(pattern);
    } else {
      return undefined;
    }
  }
  if (patterns.length === 1) {
    const pattern = patterns[0] as RegExp;
    return (value) => value.length <= maximum && pattern.test(value);
  }
  return (value) => value.length <= maximum && patterns.every((pattern) => pattern.test(value));
}

const ZodMiniCheckedString = $constructor('ZodMiniString', (inst: z.core.$ZodString, def: z.core.$ZodStringDef) => {
  // What ZodMiniString's initialiser does (calling it would stop at this constructor's own trait name).
  const init: Init<z.core.$ZodString, z.core.$ZodStringDef> = $ZodString.init;
  init(inst, def);
  miniTypeInit(inst, def);
  const checks = def.checks ?? [];
  const valid = def.coerce === true || checks.length === 0 ? undefined : validStringTest(checks);
  if (valid === undefined) return;
  const run = inst._zod.run;
  inst._zod.run = (payload, ctx) => {
    const value = payload.value;
    return typeof value === 'string' && valid(value) ? payload : run(payload, ctx);
  };
});

/**
 * zod/mini's `string(params)`, whose `.check(maxLength(…), regex(…))` settles a valid string in
 * one step: zod runs each check through its own layer (a `when`, an abort test, the check, an
 * issue count), for some 45 strings a message. Any other check, and any value that fails, takes
 * zod's own path, so the values and issues are zod's (test/unit/validation holds them to it).
 */
export function checkedString(params?: string | z.core.$ZodStringParams): z.ZodMiniString<string> {
  return _string(ZodMiniCheckedString as unknown as z.core.util.SchemaClass<z.ZodMiniString<string>>, params);
}

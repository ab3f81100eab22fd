/**
 * Two zod/mini schemas built on zod's core with fewer layers than zod/mini composes them from, for
 * the schemas every message goes through (the event's fields, CreateAlias's answer). Each gives
 * the same values and issues as the composition it replaces (test/unit/validation holds them to it).
 */
import { $constructor, $ZodObjectJIT, $ZodOptional } from 'zod/v4/core';
import type * as z from 'zod/mini';
import { ZodMiniType } from 'zod/mini';

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

/**
 * The tagging part of the configuration (issue 12 docs/huawei-kms.md#alias-api): `TAG_TEMPLATE` and `TAG_OVERWRITE`, read
 * with the rest at cold start. Off unless `TAG_TEMPLATE` is set: then nothing about the alias
 * pipeline changes, and a new key still costs one call.
 */
import { ConfigError } from '../errors/app-error.ts';
import { compileTagTemplate, type CompiledTagTemplate } from '../tags/compile-tag-template.ts';
import { flagOr, optionalText, readEnvFields } from './env-fields.ts';

/** The variables of tagging, merged into the configuration's own list. */
export const TAG_ENV_SPEC = {
  TAG_TEMPLATE: optionalText,
  TAG_OVERWRITE: flagOr(false),
};

export interface TaggingConfig {
  /** The compiled `TAG_TEMPLATE`; undefined when tags are off. */
  tagTemplate: CompiledTagTemplate | undefined;
  /** `TAG_OVERWRITE`: replace a managed tag that holds another value (default: keep and report it). */
  tagOverwrite: boolean;
}

/**
 * Reads and compiles the tag template with the same `ALIAS_VAR_*` constants as the alias
 * template, so that Huawei's tag rules (docs/huawei-kms.md#key-tags) fail the cold start for
 * anything the template fixes by itself.
 * @param env the environment with empty values already dropped.
 * @throws ConfigError naming `TAG_TEMPLATE` or `TAG_OVERWRITE`.
 */
export function loadTagConfig(
  env: Readonly<Record<string, string>>,
  constants: Readonly<Record<string, string>>,
): TaggingConfig {
  const parsed = readEnvFields(env, TAG_ENV_SPEC);
  if (!parsed.ok) throw new ConfigError(`invalid configuration: ${parsed.issues.join('; ')}`);
  const source = parsed.values.TAG_TEMPLATE;
  if (source === undefined) return { tagTemplate: undefined, tagOverwrite: parsed.values.TAG_OVERWRITE };
  const compiled = compileTagTemplate(source, constants);
  if (!compiled.ok) throw new ConfigError(`TAG_TEMPLATE: ${compiled.reason}`);
  return { tagTemplate: compiled.template, tagOverwrite: parsed.values.TAG_OVERWRITE };
}

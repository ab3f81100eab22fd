import { type Config, loadConfig, loadNamingConfig, type NamingConfig } from '../lib/config/load-config.ts';
import { parseProjectMap } from '../lib/config/parse-project-map.ts';
import { UsageError } from './cli-io.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface NamingFlags {
  template?: string;
  vars: Record<string, string>;
}

export interface TargetFlags extends NamingFlags {
  project?: string;
  region?: string;
}

/** The one project (and region) a command works on, with the configuration to reach it. */
export interface OperatorTarget {
  config: Config;
  projectId: string;
  region: string;
}

/** `--template` and `--var` written over ALIAS_TEMPLATE and ALIAS_VAR_*: flags override the environment. */
export function withNamingFlags(env: Env, flags: NamingFlags): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  if (flags.template !== undefined) out['ALIAS_TEMPLATE'] = flags.template;
  for (const [name, value] of Object.entries(flags.vars)) out[`ALIAS_VAR_${name.toUpperCase()}`] = value;
  return out;
}

/**
 * The environment the Lambda would have, with the flags written over it. `--project` replaces
 * the configured project set by that one project; its region is `--region`, else its entry in
 * HUAWEICLOUD_PROJECTS, else HUAWEICLOUD_REGION. Pure.
 * @throws UsageError when no region is known for `--project`.
 */
export function operatorEnv(env: Env, flags: TargetFlags): Record<string, string | undefined> {
  const out = withNamingFlags(env, flags);
  if (flags.project !== undefined) {
    const listed = env['HUAWEICLOUD_PROJECTS']?.trim()
      ? parseProjectMap(env['HUAWEICLOUD_PROJECTS'], env['HUAWEICLOUD_REGION'])
      : undefined;
    const region =
      flags.region ??
      (listed?.ok === true ? listed.projects.get(flags.project) : undefined) ??
      env['HUAWEICLOUD_REGION'];
    if (region === undefined || region.trim() === '') {
      throw new UsageError(`no region known for project ${flags.project}: pass --region (or set HUAWEICLOUD_REGION)`);
    }
    out['HUAWEICLOUD_PROJECT_ID'] = flags.project;
    out['HUAWEICLOUD_REGION'] = region;
    delete out['HUAWEICLOUD_PROJECTS'];
  } else if (flags.region !== undefined) {
    out['HUAWEICLOUD_REGION'] = flags.region;
  }
  return out;
}

/**
 * Loads the Lambda's configuration (DLQ_URL not required) with the flags over it, and picks the
 * one project to work on.
 * @throws ConfigError for a bad variable; UsageError when several projects are configured and
 *   `--project` does not pick one.
 */
export function loadOperatorTarget(env: Env, flags: TargetFlags): OperatorTarget {
  const config = loadConfig(operatorEnv(env, flags), { requireDlqUrl: false });
  if (config.projects.size !== 1) {
    throw new UsageError(
      `${config.projects.size} projects are configured (${[...config.projects.keys()].join(', ')}): choose one with --project`,
    );
  }
  const [entry] = config.projects;
  if (entry === undefined) throw new UsageError('no project configured: pass --project');
  return { config, projectId: entry[0], region: entry[1] };
}

/** ALIAS_TEMPLATE and ALIAS_VAR_* with the flags over them. @throws ConfigError */
export function loadOperatorNaming(env: Env, flags: NamingFlags): NamingConfig {
  return loadNamingConfig(withNamingFlags(env, flags));
}

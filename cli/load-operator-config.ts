import {
  type Config,
  loadConfig,
  loadNamingConfig,
  loadServedProjects,
  type NamingConfig,
} from '../lib/config/load-config.ts';
import { parseProjectMap } from '../lib/config/parse-project-map.ts';
import { type PlacementMap, projectAccountsOf } from '../lib/core/place-event.ts';
import { UsageError } from './cli-io.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface NamingFlags {
  template?: string;
  vars: Record<string, string>;
}

export interface TargetFlags extends NamingFlags {
  project?: string;
  region?: string;
  /** HUAWEICLOUD_ACCOUNTS: only this account's projects (its domain id or name). */
  account?: string;
}

/** One project (and region) a command works on, with the configuration to reach it. */
export interface OperatorTarget {
  config: Config;
  projectId: string;
  region: string;
  /** The account's name, with HUAWEICLOUD_ACCOUNTS. */
  account?: string;
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
  // HUAWEICLOUD_ACCOUNTS lists every project with its region and account: --project picks from it.
  if (env['HUAWEICLOUD_ACCOUNTS']?.trim()) return out;
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
 * projects to work on: `--project`, else every configured project (of `--account`, with
 * HUAWEICLOUD_ACCOUNTS), in the order configured.
 * @throws ConfigError for a bad variable; UsageError for a project or account the configuration
 *   does not have, or `--account` without HUAWEICLOUD_ACCOUNTS.
 */
export function loadOperatorTargets(env: Env, flags: TargetFlags): OperatorTarget[] {
  const config = loadConfig(operatorEnv(env, flags), { requireDlqUrl: false });
  const named = config.accounts.some((a) => a.domainId !== undefined);
  if (!named) {
    if (flags.account !== undefined) {
      throw new UsageError('--account picks one of HUAWEICLOUD_ACCOUNTS, which is not set');
    }
    return [...config.projects].map(([projectId, region]) => ({ config, projectId, region }));
  }
  const accounts =
    flags.account === undefined
      ? config.accounts
      : config.accounts.filter((a) => a.domainId === flags.account || a.name === flags.account);
  if (accounts.length === 0) {
    throw new UsageError(
      `no account ${flags.account} in HUAWEICLOUD_ACCOUNTS (${config.accounts.map((a) => `${a.name} ${a.domainId ?? ''}`.trim()).join(', ')})`,
    );
  }
  const targets = accounts.flatMap((a) =>
    [...a.projects].map(([projectId, region]) => ({ config, projectId, region, account: a.name })),
  );
  if (flags.project === undefined) return targets;
  const picked = targets.filter((t) => t.projectId === flags.project);
  const [target] = picked;
  if (target === undefined) {
    throw new UsageError(
      `project ${flags.project} is in no ${flags.account === undefined ? 'configured account' : `project of account ${flags.account}`} (HUAWEICLOUD_ACCOUNTS)`,
    );
  }
  if (flags.region !== undefined && flags.region !== target.region) {
    throw new UsageError(`--region: project ${target.projectId} is configured for ${target.region}`);
  }
  return picked;
}

/** ALIAS_TEMPLATE and ALIAS_VAR_* with the flags over them. @throws ConfigError */
export function loadOperatorNaming(env: Env, flags: NamingFlags): NamingConfig {
  return loadNamingConfig(withNamingFlags(env, flags));
}

/**
 * Where the configuration serves events, read as the Lambda reads it but without credentials, for
 * `explain`; undefined when no project is configured.
 * @throws ConfigError naming the variable when one is set but wrong.
 */
export function loadOperatorPlacement(env: Env): PlacementMap | undefined {
  const served = loadServedProjects(env);
  return served === undefined ? undefined : { projects: served.projects, accounts: projectAccountsOf(served.accounts) };
}

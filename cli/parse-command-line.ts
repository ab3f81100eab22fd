import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { BACKFILL_HELP, EXPLAIN_HELP, GLOBAL_HELP, RECONCILE_HELP, REPLAY_HELP, WIRE_HELP } from './help.ts';

/** Flags every KMS command shares: where, and which template. */
interface KmsFlags {
  json: boolean;
  project?: string;
  region?: string;
  account?: string;
  rate?: number;
  pageSize?: number;
  template?: string;
  vars: Record<string, string>;
}

export type Command =
  | {
      name: 'explain';
      json: boolean;
      event?: string;
      events?: string;
      template?: string;
      tags?: string;
      vars: Record<string, string>;
    }
  | ({ name: 'backfill'; dryRun: boolean; resume?: string } & KmsFlags)
  | ({ name: 'reconcile' } & KmsFlags)
  | {
      name: 'replay-dlq';
      json: boolean;
      from?: string;
      to: string;
      max?: number;
      dryRun: boolean;
      filters: string[];
      waitSeconds?: number;
    }
  | {
      name: 'wire';
      json: boolean;
      dryRun: boolean;
      check: boolean;
      ingestUrl?: string;
      project?: string;
      region?: string;
      account?: string;
      topic?: string;
      notification?: string;
      confirmWait?: number;
    };

export type CommandName = Command['name'];

/** What the command line asks for. Pure: no I/O, no environment. */
export type ParsedCommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'usage_error'; message: string; help: string }
  | { kind: 'command'; command: Command };

export const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  explain: EXPLAIN_HELP,
  backfill: BACKFILL_HELP,
  reconcile: RECONCILE_HELP,
  'replay-dlq': REPLAY_HELP,
  wire: WIRE_HELP,
};

const COMMON = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;
const NAMING = {
  template: { type: 'string' },
  var: { type: 'string', multiple: true },
} as const satisfies ParseArgsOptionsConfig;
const TARGET = {
  project: { type: 'string' },
  region: { type: 'string' },
  account: { type: 'string' },
  rate: { type: 'string' },
  'page-size': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

const OPTIONS = {
  explain: { ...COMMON, ...NAMING, event: { type: 'string' }, events: { type: 'string' }, tags: { type: 'string' } },
  backfill: { ...COMMON, ...NAMING, ...TARGET, 'dry-run': { type: 'boolean' }, resume: { type: 'string' } },
  reconcile: { ...COMMON, ...NAMING, ...TARGET },
  'replay-dlq': {
    ...COMMON,
    from: { type: 'string' },
    to: { type: 'string' },
    max: { type: 'string' },
    'dry-run': { type: 'boolean' },
    filter: { type: 'string', multiple: true },
    wait: { type: 'string' },
  },
  wire: {
    ...COMMON,
    'ingest-url': { type: 'string' },
    project: { type: 'string' },
    region: { type: 'string' },
    account: { type: 'string' },
    topic: { type: 'string' },
    notification: { type: 'string' },
    'dry-run': { type: 'boolean' },
    check: { type: 'boolean' },
    'confirm-wait': { type: 'string' },
  },
} as const satisfies Record<CommandName, ParseArgsOptionsConfig>;

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(OPTIONS, name);
}

class FlagError extends Error {}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new FlagError(`--${flag} needs a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new FlagError(`--${flag} needs a value`);
  return value;
}

/** `--var env=prod` → `{ env: 'prod' }`; the names are checked where ALIAS_VAR_* are. */
function parseVars(values: readonly string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const entry of values ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new FlagError(`--var needs NAME=VALUE, got ${JSON.stringify(entry)}`);
    vars[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return vars;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Parses `kms-auto-alias <command> [options]`. Unknown commands or flags, missing values and
 * malformed numbers are usage errors (exit 2), each with the help of the command concerned.
 *
 * @example parseCommandLine(['reconcile', '--project', 'p', '--json'])
 * // { kind: 'command', command: { name: 'reconcile', json: true, project: 'p', vars: {} } }
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'usage_error', message: 'no command given', help: GLOBAL_HELP };
  if (first === '-h' || first === '--help') return { kind: 'help', text: GLOBAL_HELP };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help', text: GLOBAL_HELP };
    return isCommandName(topic)
      ? { kind: 'help', text: COMMAND_HELP[topic] }
      : { kind: 'usage_error', message: `unknown command ${JSON.stringify(topic)}`, help: GLOBAL_HELP };
  }
  if (!isCommandName(first)) {
    return { kind: 'usage_error', message: `unknown command ${JSON.stringify(first)}`, help: GLOBAL_HELP };
  }
  const help = COMMAND_HELP[first];
  try {
    return parseCommand(first, rest, help);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { kind: 'usage_error', message, help };
  }
}

function parseCommand(name: CommandName, args: readonly string[], help: string): ParsedCommandLine {
  switch (name) {
    case 'explain': {
      const { values } = parseArgs({
        args: [...args],
        options: OPTIONS.explain,
        strict: true,
        allowPositionals: false,
      });
      if (values.help === true) return { kind: 'help', text: help };
      if (values.event !== undefined && values.events !== undefined)
        throw new FlagError('give --event or --events, not both');
      return {
        kind: 'command',
        command: {
          name,
          json: values.json === true,
          ...optional('event', nonEmpty('event', values.event)),
          ...optional('events', nonEmpty('events', values.events)),
          ...optional('template', nonEmpty('template', values.template)),
          ...optional('tags', nonEmpty('tags', values.tags)),
          vars: parseVars(values.var),
        },
      };
    }
    case 'backfill':
    case 'reconcile': {
      const { values } = parseArgs({
        args: [...args],
        options: OPTIONS.backfill,
        strict: true,
        allowPositionals: false,
      });
      if (name === 'reconcile' && (values['dry-run'] !== undefined || values.resume !== undefined)) {
        throw new FlagError(
          `reconcile is read-only: ${values.resume !== undefined ? '--resume' : '--dry-run'} does not apply`,
        );
      }
      if (values.help === true) return { kind: 'help', text: help };
      const flags: KmsFlags = {
        json: values.json === true,
        ...optional('project', nonEmpty('project', values.project)),
        ...optional('region', nonEmpty('region', values.region)),
        ...optional('account', nonEmpty('account', values.account)),
        ...optional('rate', integer('rate', values.rate, 1, 1000)),
        ...optional('pageSize', integer('page-size', values['page-size'], 1, 1000)),
        ...optional('template', nonEmpty('template', values.template)),
        vars: parseVars(values.var),
      };
      if (name === 'reconcile') return { kind: 'command', command: { name, ...flags } };
      const dryRun = values['dry-run'] === true;
      if (dryRun && values.resume !== undefined) {
        throw new FlagError('--dry-run changes nothing, so there is nothing to resume: drop --resume');
      }
      return {
        kind: 'command',
        command: { name, ...flags, dryRun, ...optional('resume', nonEmpty('resume', values.resume)) },
      };
    }
    case 'replay-dlq': {
      const { values } = parseArgs({
        args: [...args],
        options: OPTIONS['replay-dlq'],
        strict: true,
        allowPositionals: false,
      });
      if (values.help === true) return { kind: 'help', text: help };
      const to = nonEmpty('to', values.to);
      if (to === undefined)
        throw new FlagError('--to QUEUE_URL is required: the source queue to send the records back to');
      const filters = (values.filter ?? []).map((f) => nonEmpty('filter', f) ?? '');
      return {
        kind: 'command',
        command: {
          name,
          json: values.json === true,
          ...optional('from', nonEmpty('from', values.from)),
          to,
          ...optional('max', integer('max', values.max, 1, 1_000_000)),
          dryRun: values['dry-run'] === true,
          filters,
          ...optional('waitSeconds', integer('wait', values.wait, 0, 20)),
        },
      };
    }
    case 'wire': {
      const { values } = parseArgs({ args: [...args], options: OPTIONS.wire, strict: true, allowPositionals: false });
      if (values.help === true) return { kind: 'help', text: help };
      if (values['dry-run'] === true && values.check === true) {
        throw new FlagError('give --dry-run or --check, not both (--check changes nothing either)');
      }
      const topic = nonEmpty('topic', values.topic);
      if (topic !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(topic)) {
        throw new FlagError('--topic needs 1-255 of A-Z a-z 0-9 _ -, starting with a letter or digit');
      }
      const notification = nonEmpty('notification', values.notification);
      if (notification !== undefined && !/^[A-Za-z0-9_]{1,64}$/.test(notification)) {
        throw new FlagError('--notification needs 1-64 of A-Z a-z 0-9 _');
      }
      return {
        kind: 'command',
        command: {
          name,
          json: values.json === true,
          dryRun: values['dry-run'] === true,
          check: values.check === true,
          ...optional('ingestUrl', nonEmpty('ingest-url', values['ingest-url'])),
          ...optional('project', nonEmpty('project', values.project)),
          ...optional('region', nonEmpty('region', values.region)),
          ...optional('account', nonEmpty('account', values.account)),
          ...optional('topic', topic),
          ...optional('notification', notification),
          ...optional('confirmWait', integer('confirm-wait', values['confirm-wait'], 0, 120)),
        },
      };
    }
  }
}

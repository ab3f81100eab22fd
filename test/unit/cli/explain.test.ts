import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainBody } from '../../../cli/commands/explain.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { loadEventBody, SAMPLE_EVENT_NAMES } from '../../support/load-event.ts';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function compile(source: string, constants: Record<string, string> = {}) {
  const t = compileAliasTemplate(source, constants);
  if (!t.ok) throw new Error(t.reason);
  return t.template;
}

describe('explainBody()', () => {
  it('gives the alias, its parts and the explanation of a sample event', () => {
    const r = explainBody(
      'canonical.json',
      loadEventBody('canonical'),
      compile('alias/{env}/{key_alias|slug}', { env: 'prod' }),
    );
    expect(r).toMatchObject({
      status: 'ok',
      alias: 'alias/prod/reporting-etl',
      event: { source: 'canonical', key_alias: 'reporting-etl' },
    });
    expect(r.status === 'ok' && r.parts.map((p) => [p.placeholder, p.source, p.value])).toEqual([
      ['{env}', 'constant', 'prod'],
      ['{key_alias|slug}', 'event', 'reporting-etl'],
    ]);
  });

  it('lists the rules an alias breaks, with the alias as filled in', () => {
    const body = JSON.stringify({ ...JSON.parse(loadEventBody('canonical')), key_alias: 'Team Keys/Default' });
    const r = explainBody('x', body, compile('alias/{key_alias}'));
    expect(r.status).toBe('naming_failed');
    if (r.status !== 'naming_failed') return;
    expect(r.code).toBe('INVALID_ALIAS');
    expect(r.attempted).toBe('alias/Team Keys/Default');
    expect(r.rules_broken).toEqual([expect.stringContaining('" " (space)'), expect.stringContaining('/default')]);
  });

  it('names a missing field', () => {
    const body = JSON.stringify({ ...JSON.parse(loadEventBody('canonical')), created_by: undefined });
    const r = explainBody('x', body, compile('alias/{created_by|slug}/{key_id|short}'));
    expect(r).toMatchObject({ status: 'naming_failed', code: 'MISSING_FIELD', rules_broken: [] });
  });

  it('says when a body is not a key-created event', () => {
    expect(explainBody('x', 'nope', compile('alias/{key_id}'))).toMatchObject({
      status: 'not_a_key_event',
      kind: 'invalid',
      reason: 'not_json',
    });
  });
});

describe('kms-auto-alias explain', () => {
  const env = { ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug}-{key_spec|lower}', ALIAS_VAR_ENV: 'test' };

  it('explains one event file with the configured template (exit 0)', async () => {
    const run = await runCli(['explain', '--event', 'events/canonical.json'], { env, cwd: ROOT });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('alias     alias/test/reporting-etl-ec_p384');
    expect(run.stdout).toContain('rules     all followed');
    expect(run.stdout).toContain('normalised event:');
    expect(run.stdout).toMatch(/\{key_spec\|lower\}\s+event\s+key_spec\s+"EC_P384"\s+"ec_p384"/);
  });

  it('tries a new template and --var on every sample event', async () => {
    const run = await runCli(
      ['explain', '--template', 'alias/{env}/{key_alias|slug}', '--var', 'env=prod', '--events', 'events/'],
      { cwd: ROOT },
    );
    expect(run.code).toBe(0);
    for (const name of SAMPLE_EVENT_NAMES) expect(run.stdout).toContain(`events/${name}.json`);
    expect(run.stdout).toContain(
      `${SAMPLE_EVENT_NAMES.length} of ${SAMPLE_EVENT_NAMES.length} events give a valid alias`,
    );
    expect(run.stderr).toContain('warning: the template ends with "/{key_alias|slug}"');
  });

  it('reads a body from stdin and prints JSON', async () => {
    const run = await runCli(['explain', '--json'], { env, stdin: loadEventBody('sns-wrapped-cts') });
    expect(run.code).toBe(0);
    const doc = run.json<{
      template: string;
      results: Array<{ file: string; status: string; alias: string; event: { envelopes: string[] } }>;
    }>();
    expect(doc.template).toBe(env.ALIAS_TEMPLATE);
    expect(doc.results[0]).toMatchObject({ file: '(stdin)', status: 'ok', event: { envelopes: ['sns'] } });
  });

  it('exits 1 when the event gives no alias, and shows the rules it breaks', async () => {
    const body = JSON.stringify({ ...JSON.parse(loadEventBody('canonical')), key_alias: 'Team Keys' });
    const broken = await runCli(['explain', '--template', 'alias/{key_alias}'], { stdin: body });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('alias     none: INVALID_ALIAS');
    expect(broken.stdout).toContain('filled    alias/Team Keys');
    expect(broken.stdout).toContain('broken    contains characters outside [a-zA-Z0-9:/_-]: " " (space)');
    const notKey = await runCli(['explain'], { stdin: '{"cts":{"service_type":"OBS"}}' });
    expect(notKey.code).toBe(1);
    expect(notKey.stdout).toContain('not a key-created event');
  });

  it('exits 2 for a template that can never give a valid alias', async () => {
    const run = await runCli(['explain', '--template', 'alias/{key_alias}/default'], {
      stdin: loadEventBody('canonical'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ALIAS_TEMPLATE: ');
  });

  it('exits 2 for an unknown placeholder, a missing file, or no input at all', async () => {
    const bad = await runCli(['explain', '--template', 'alias/{colour}', '--event', 'events/canonical.json'], {
      cwd: ROOT,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown placeholder {colour}');
    expect((await runCli(['explain', '--event', 'no/such.json'], { cwd: ROOT })).stderr).toContain(
      'cannot read --event no/such.json: ENOENT',
    );
    expect((await runCli(['explain'])).stderr).toContain('give --event FILE, --events DIR, or a body on stdin');
  });
});

describe('explain with the projects and accounts of the environment', () => {
  const canonical = JSON.parse(loadEventBody('canonical')) as { project_id: string; domain_id?: string };
  const OTHER_ACCOUNT = '6c1f0e2d3b4a49588776a5b4c3d2e1f0';
  const OTHER_PROJECT = '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6';

  it('says the event is served, and by which account', async () => {
    const accounts = JSON.stringify({
      [canonical.domain_id ?? '3bab8e245e854f68af5967c00dd43127']: {
        name: 'security',
        projects: { [canonical.project_id]: 'cn-north-4' },
      },
      [OTHER_ACCOUNT]: { name: 'payments', projects: { [OTHER_PROJECT]: 'cn-north-4' }, agency: 'kms' },
    });
    const run = await runCli(['explain', '--event', 'events/canonical.json'], {
      env: { HUAWEICLOUD_ACCOUNTS: accounts },
      cwd: ROOT,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`served    yes: account security, project ${canonical.project_id} (cn-north-4)`);
  });

  it('says the function would not act on an event outside the map (exit 1), and names the variable of a bad map (exit 2)', async () => {
    const elsewhere = JSON.stringify({
      [OTHER_ACCOUNT]: { projects: { [OTHER_PROJECT]: 'cn-north-4' }, agency: 'kms' },
    });
    const run = await runCli(['explain', '--event', 'events/canonical.json', '--json'], {
      env: { HUAWEICLOUD_ACCOUNTS: elsewhere },
      cwd: ROOT,
    });
    expect(run.code).toBe(1);
    const [result] = run.json<{ results: Array<{ status: string; placement: unknown }> }>().results;
    expect(result).toMatchObject({ status: 'ok', placement: { served: false, kind: 'skipped' } });
    const bad = await runCli(['explain', '--event', 'events/canonical.json'], {
      env: { HUAWEICLOUD_ACCOUNTS: '{' },
      cwd: ROOT,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HUAWEICLOUD_ACCOUNTS');
  });

  it('checks nothing when no project is configured, as before', () => {
    const r = explainBody('e', loadEventBody('canonical'), compile('alias/{key_id}'));
    expect(r.status === 'ok' && r.placement).toBe(undefined);
  });
});

import { describe, expect, it } from 'vitest';
import { COMMAND_HELP, parseCommandLine } from '../../../cli/parse-command-line.ts';

describe('parseCommandLine()', () => {
  it.each([
    [['--help'], 'Usage: kms-auto-alias <command>'],
    [['-h'], 'Usage: kms-auto-alias <command>'],
    [['help'], 'Usage: kms-auto-alias <command>'],
    [['help', 'backfill'], 'Usage: kms-auto-alias backfill'],
    [['explain', '--help'], 'Usage: kms-auto-alias explain'],
    [['backfill', '-h'], 'Usage: kms-auto-alias backfill'],
    [['reconcile', '--help'], 'Usage: kms-auto-alias reconcile'],
    [['replay-dlq', '--help'], 'Usage: kms-auto-alias replay-dlq'],
  ])('gives help for %j', (argv, start) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.kind).toBe('help');
    expect(parsed.kind === 'help' && parsed.text).toContain(start);
  });

  it('has a help text with exit codes for every command', () => {
    for (const text of Object.values(COMMAND_HELP)) expect(text).toMatch(/Exit codes:[\s\S]*0 [\s\S]*1 [\s\S]*2 /);
  });

  it('parses explain', () => {
    expect(
      parseCommandLine([
        'explain',
        '--template',
        'alias/{env}/{key_alias|slug}',
        '--var',
        'env=prod',
        '--var',
        'team=a=b',
        '--events',
        'events/',
      ]),
    ).toEqual({
      kind: 'command',
      command: {
        name: 'explain',
        json: false,
        events: 'events/',
        template: 'alias/{env}/{key_alias|slug}',
        vars: { env: 'prod', team: 'a=b' },
      },
    });
  });

  it('parses backfill with every flag', () => {
    const argv = [
      'backfill',
      '--project',
      'p',
      '--region',
      'r',
      '--rate',
      '5',
      '--resume',
      'j.jsonl',
      '--page-size',
      '50',
      '--json',
    ];
    expect(parseCommandLine(argv)).toEqual({
      kind: 'command',
      command: {
        name: 'backfill',
        json: true,
        project: 'p',
        region: 'r',
        rate: 5,
        pageSize: 50,
        vars: {},
        dryRun: false,
        resume: 'j.jsonl',
      },
    });
  });

  it('parses reconcile and replay-dlq', () => {
    expect(parseCommandLine(['reconcile'])).toEqual({
      kind: 'command',
      command: { name: 'reconcile', json: false, vars: {} },
    });
    expect(
      parseCommandLine([
        'replay-dlq',
        '--to',
        'http://q',
        '--filter',
        'invalid',
        '--filter',
        'conflict',
        '--max',
        '3',
        '--dry-run',
        '--wait',
        '0',
      ]),
    ).toEqual({
      kind: 'command',
      command: {
        name: 'replay-dlq',
        json: false,
        to: 'http://q',
        max: 3,
        dryRun: true,
        filters: ['invalid', 'conflict'],
        waitSeconds: 0,
      },
    });
  });

  it('recognises --version', () => {
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });

  it.each([
    [[], /no command/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['help', 'frobnicate'], /unknown command/],
    [['backfill', '--bogus'], /--bogus/],
    [['backfill', 'extra'], /extra/],
    [['backfill', '--project'], /--project/],
    [['backfill', '--rate', '0'], /--rate needs a whole number from 1 to 1000/],
    [['backfill', '--rate', '2.5'], /--rate/],
    [['backfill', '--page-size', '5000'], /--page-size/],
    [['backfill', '--dry-run', '--resume', 'x'], /nothing to resume/],
    [['backfill', '--project', ' '], /--project needs a value/],
    [['reconcile', '--dry-run'], /read-only/],
    [['reconcile', '--resume', 'x'], /read-only/],
    [['explain', '--event', 'a', '--events', 'b'], /not both/],
    [['explain', '--var', 'novalue'], /NAME=VALUE/],
    [['explain', '--var', '=x'], /NAME=VALUE/],
    [['replay-dlq'], /--to QUEUE_URL is required/],
    [['replay-dlq', '--to', 'u', '--max', '0'], /--max/],
    [['replay-dlq', '--to', 'u', '--wait', '21'], /--wait/],
  ])('refuses %j', (argv, message) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.kind).toBe('usage_error');
    expect(parsed.kind === 'usage_error' && parsed.message).toMatch(message);
  });
});

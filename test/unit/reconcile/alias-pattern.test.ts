import { describe, expect, it } from 'vitest';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { aliasPatternOf, conformsTo } from '../../../lib/reconcile/alias-pattern.ts';

function patternOf(source: string, constants: Record<string, string> = {}) {
  const t = compileAliasTemplate(source, constants);
  if (!t.ok) throw new Error(t.reason);
  return aliasPatternOf(t.template);
}

describe('aliasPatternOf()', () => {
  it.each<[string, Record<string, string>, string, boolean]>([
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' }, 'alias/prod/payments-db-aes_256', true],
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' }, 'alias/prod/old-name-sm4', true],
    // the fixed text must match verbatim
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' }, 'alias/test/payments-db-aes_256', false],
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' }, 'alias/ReportingKey', false],
    // slug: no upper case, no ':' or '/'
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' }, 'alias/prod/Payments-aes_256', false],
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' }, 'alias/prod/a/b-aes_256', false],
    // short: at most 8 characters
    ['alias/{key_alias|slug|default:key}-{key_id|short}', {}, 'alias/payments-4f2b9c1d', true],
    ['alias/{key_alias|slug|default:key}-{key_id|short}', {}, 'alias/payments-4f2b9c1d7', false],
    // truncate:N
    ['alias/{key_alias|slug|truncate:5}', {}, 'alias/abcde', true],
    ['alias/{key_alias|slug|truncate:5}', {}, 'alias/abcdef', false],
    // upper
    ['alias/{team|upper}/{key_alias|upper|slug|upper}', { team: 'sec' }, 'alias/SEC/PAYMENTS-DB', true],
    ['alias/{team|upper}/{key_alias|upper|slug|upper}', { team: 'sec' }, 'alias/SEC/payments-db', false],
    // no filter: any alias characters
    ['alias/{key_alias}', {}, 'alias/Any:thing/Goes_here', true],
    // a regex metacharacter in the fixed text is literal
    ['alias/x-{key_id|short}', {}, 'alias/xx12345678', false],
  ])('%s with %j: %s → %s', (source, constants, alias, expected) => {
    expect(conformsTo(patternOf(source, constants), alias)).toBe(expected);
  });

  it('gives a readable pattern', () => {
    expect(patternOf('alias/{env}/{key_id|short}', { env: 'prod' }).source).toBe(
      '^alias\\/prod\\/[a-zA-Z0-9:/_\\-]{1,8}$',
    );
  });

  it('never accepts aliases over the length limit', () => {
    expect(conformsTo(patternOf('alias/{key_alias}'), `alias/${'a'.repeat(300)}`)).toBe(false);
  });
});

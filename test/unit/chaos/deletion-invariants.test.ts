import { describe, expect, it } from 'vitest';
import { checkDeletionsSettled, checkNoForeignAliasDeleted } from '../../../chaos/deletion-invariants.ts';
import type { CallRecord } from '../../../emulator/kms-emulator.ts';
import type { ChaosScenario } from '../../../chaos/scenario.ts';

const OLD = '11111111-2222-4333-8444-555555555555';
const BACK = '22222222-3333-4444-8555-666666666666';
const NAME = 'alias/chaos/payments-1-aes_256-11111111';
const BACK_NAME = 'alias/chaos/orders-2-aes_256-22222222';
const PLANTED = 'alias/by-hand/payments-1';

const scenario = {
  seed: 's',
  messages: [
    { index: 0, body: 'a', expect: 'released', shape: 'x', keyId: OLD, alias: NAME, traceName: 'scheduleKeyDeletion' },
    { index: 1, body: 'b', expect: 'alias', shape: 'x', keyId: BACK, alias: BACK_NAME, traceName: 'cancelKeyDeletion' },
  ],
  keys: [
    {
      keyId: OLD,
      keyAlias: 'payments-1',
      keySpec: 'AES_256',
      state: '4',
      seededAliases: [NAME, PLANTED],
      plantedAliases: [PLANTED],
    },
    { keyId: BACK, keyAlias: 'orders-2', keySpec: 'AES_256', state: '2', seededAliases: [], plantedAliases: [] },
  ],
  expectedAliases: new Map([[BACK, BACK_NAME]]),
  releasedAliases: new Map([[OLD, NAME]]),
  composition: {},
} as ChaosScenario;

const deleteCall = (keyId: string, aliases: string[]): CallRecord => ({
  at: 0,
  method: 'DELETE',
  path: '/v1.0/p/kms/aliases',
  operation: 'deleteAlias',
  status: 204,
  principal: 'ak',
  requestId: 'r1',
  keyId,
  aliases,
});

describe('checkNoForeignAliasDeleted()', () => {
  it('passes a DeleteAlias of the key’s own template alias while the planted alias survives', () => {
    const aliases = new Map([[OLD, [PLANTED]]]);
    expect(checkNoForeignAliasDeleted(scenario, [deleteCall(OLD, [NAME])], aliases).pass).toBe(true);
  });

  it('fails a DeleteAlias that names a planted alias, or another key’s alias, and a planted alias gone', () => {
    const planted = checkNoForeignAliasDeleted(scenario, [deleteCall(OLD, [NAME, PLANTED])], new Map([[OLD, []]]));
    expect(planted.pass).toBe(false);
    expect(planted.failures.join('\n')).toContain(`named ${PLANTED}`);
    expect(planted.failures.join('\n')).toContain(`${PLANTED}, planted on key 11111111, is gone`);
    const other = checkNoForeignAliasDeleted(scenario, [deleteCall(BACK, [NAME])], new Map([[OLD, [PLANTED]]]));
    expect(other.failures).toEqual([
      `DeleteAlias r1 of key 22222222 named ${NAME} (its convention alias: ${BACK_NAME})`,
    ]);
  });
});

describe('checkDeletionsSettled()', () => {
  const never = () => false;
  it('passes a released name and a re-created one, fails a name still held or not back', () => {
    const fine = new Map([
      [OLD, [PLANTED]],
      [BACK, [BACK_NAME]],
    ]);
    expect(checkDeletionsSettled(scenario, fine, () => undefined, never)).toMatchObject({ pass: true });
    const wrong = new Map([
      [OLD, [NAME, PLANTED]],
      [BACK, []],
    ]);
    const verdict = checkDeletionsSettled(scenario, wrong, () => undefined, never);
    expect(verdict.failures).toHaveLength(2);
    expect(
      checkDeletionsSettled(
        scenario,
        wrong,
        () => undefined,
        () => true,
      ).pass,
    ).toBe(true);
  });
});

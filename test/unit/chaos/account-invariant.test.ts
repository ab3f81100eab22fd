import { describe, expect, it } from 'vitest';
import { checkWritesByAccountIdentity, projectOfCall } from '../../../chaos/account-invariant.ts';
import type { ChaosAccountIdentity } from '../../../chaos/run-chaos.ts';
import type { CallRecord } from '../../../emulator/kms-emulator.ts';

const SECURITY = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const PAYMENTS = '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6';
const OUTSIDE = '3c4d5e6f7a8b49c0d1e2f3a4b5c6d7e8';
const CENTRAL_AK = 'CENTRALAK';

const AKSK_ACCOUNTS: ChaosAccountIdentity[] = [
  { name: 'security', projectId: SECURITY, principals: [CENTRAL_AK], viaSts: false, stsCallers: [] },
  { name: 'payments', projectId: PAYMENTS, principals: [], viaSts: true, stsCallers: [CENTRAL_AK] },
  { name: 'outside', projectId: OUTSIDE, principals: [], viaSts: false, stsCallers: [] },
];

let seq = 0;
function call(
  operation: CallRecord['operation'],
  projectId: string,
  principal: string,
  more: Partial<CallRecord> = {},
) {
  seq += 1;
  const path = operation === 'stsAssumeAgency' ? '/v5/agencies/assume' : `/v1.0/${projectId}/kms/create-alias`;
  return { at: seq, method: 'POST', path, operation, status: 200, principal, requestId: `r${seq}`, ...more };
}
const assume = (caller: string, issuedAk: string) => call('stsAssumeAgency', '', caller, { status: 201, issuedAk });

describe('projectOfCall()', () => {
  it.each([
    [`/v1.0/${PAYMENTS}/kms/create-alias`, PAYMENTS],
    [`/v1.0/${SECURITY}/kms/abc/tags/action`, SECURITY],
    ['/v5/agencies/assume', undefined],
  ])('reads %s', (path, project) => expect(projectOfCall({ path })).toBe(project));
});

describe('checkWritesByAccountIdentity()', () => {
  it("passes each account's writes by its own identity: the central AK, and a temporary AK STS issued to it", () => {
    const calls = [
      call('createAlias', SECURITY, CENTRAL_AK),
      assume(CENTRAL_AK, 'STSAK1'),
      call('createAlias', PAYMENTS, 'STSAK1'),
      call('createTags', PAYMENTS, 'STSAK1', { status: 0, fault: 'reset' }),
      call('deleteAlias', SECURITY, CENTRAL_AK, { status: 204 }),
      call('listAliases', OUTSIDE, 'ANYONE'),
    ];
    const verdict = checkWritesByAccountIdentity(AKSK_ACCOUNTS, calls);
    expect(verdict.failures).toEqual([]);
    expect(verdict.detail).toBe(
      'security 2, payments 2, outside 0 writes; 2 with a temporary AK from STS AssumeAgency (1 issued)',
    );
  });

  it.each([
    ['the central AK in the second account', [call('createAlias', PAYMENTS, CENTRAL_AK)]],
    [
      "the second account's temporary AK in the central one",
      [assume(CENTRAL_AK, 'STSAK2'), call('createAlias', SECURITY, 'STSAK2')],
    ],
    ['a temporary AK issued to someone else', [assume('OTHERAK', 'STSAK3'), call('createAlias', PAYMENTS, 'STSAK3')]],
    ['a write in an account outside the map', [call('createTags', OUTSIDE, CENTRAL_AK)]],
    ['a write in a project of no account', [call('deleteAlias', 'f'.repeat(32), CENTRAL_AK)]],
    ['a write by no identity', [call('createAlias', SECURITY, '')]],
  ])('fails %s', (_name, calls) => {
    const verdict = checkWritesByAccountIdentity(AKSK_ACCOUNTS, calls);
    expect(verdict.pass).toBe(false);
    expect(verdict.failures).toHaveLength(1);
  });

  it('in token mode, allows the IAM user centrally and the agency as IAM names it in the second account', () => {
    const accounts: ChaosAccountIdentity[] = [
      { name: 'security', projectId: SECURITY, principals: ['bot'], viaSts: false, stsCallers: [] },
      { name: 'payments', projectId: PAYMENTS, principals: ['pay/agency'], viaSts: false, stsCallers: [] },
    ];
    const fine = [call('createAlias', SECURITY, 'bot'), call('createAlias', PAYMENTS, 'pay/agency')];
    expect(checkWritesByAccountIdentity(accounts, fine).pass).toBe(true);
    expect(checkWritesByAccountIdentity(accounts, [call('createAlias', PAYMENTS, 'bot')]).pass).toBe(false);
  });
});

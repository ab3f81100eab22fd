import { describe, expect, it } from 'vitest';
import { placeEvent, projectAccountsOf } from '../../../lib/core/place-event.ts';

// An event's region and account come from the project map; what the event says is only checked.

const A = '3bab8e245e854f68af5967c00dd43127';
const B = '6c1f0e2d3b4a49588776a5b4c3d2e1f0';
const PA = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const PB = '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6';
const accounts = [
  { domainId: A, name: 'security', projects: new Map([[PA, 'cn-north-4']]) },
  { domainId: B, name: 'payments', projects: new Map([[PB, 'ap-southeast-1']]) },
];
const map = {
  projects: new Map([
    [PA, 'cn-north-4'],
    [PB, 'ap-southeast-1'],
  ]),
  accounts: projectAccountsOf(accounts),
};

describe('placeEvent()', () => {
  it('takes the region and the account from the map', () => {
    expect(placeEvent({ project_id: PB, domain_id: B }, map)).toEqual({
      ok: true,
      region: 'ap-southeast-1',
      account: { domainId: B, name: 'payments' },
    });
    // An event without an account is placed by its project alone.
    expect(placeEvent({ project_id: PA }, map)).toMatchObject({ ok: true, account: { name: 'security' } });
  });

  it('skips an event of an account outside the map, saying so', () => {
    const placed = placeEvent({ project_id: '9'.repeat(32), domain_id: 'f'.repeat(32) }, map);
    expect(placed).toMatchObject({ ok: false, outcome: { kind: 'skipped', reason: 'account_not_configured' } });
  });

  it('skips a project outside the map of a known account as project_not_configured', () => {
    const placed = placeEvent({ project_id: '9'.repeat(32), domain_id: A }, map);
    expect(placed).toMatchObject({ ok: false, outcome: { kind: 'skipped', reason: 'project_not_configured' } });
  });

  it("refuses an event whose account is not its project's: it can never choose the credentials", () => {
    const placed = placeEvent({ project_id: PB, domain_id: A }, map);
    expect(placed).toMatchObject({ ok: false, outcome: { kind: 'invalid', reason: 'account_mismatch' } });
    if (!placed.ok) expect(placed.outcome.detail).toContain(`project ${PB} belongs to account payments`);
  });

  it("refuses an event whose region is not its project's", () => {
    const placed = placeEvent({ project_id: PA, region: 'ap-southeast-1' }, map);
    expect(placed).toMatchObject({ ok: false, outcome: { kind: 'invalid', reason: 'region_mismatch' } });
  });

  it('checks no account with one unnamed account (no HUAWEICLOUD_ACCOUNTS)', () => {
    const single = { domainId: undefined, name: 'default', projects: new Map([[PA, 'cn-north-4']]) };
    expect(projectAccountsOf([single])).toBeUndefined();
    const placed = placeEvent({ project_id: PA, domain_id: B }, { projects: single.projects, accounts: undefined });
    expect(placed).toEqual({ ok: true, region: 'cn-north-4', account: undefined });
  });
});

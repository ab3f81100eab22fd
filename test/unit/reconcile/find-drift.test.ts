import { describe, expect, it } from 'vitest';
import type { AliasEntity, KeyDetails } from '../../../lib/huawei/types.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { findDrift } from '../../../lib/reconcile/find-drift.ts';

const t = compileAliasTemplate('alias/{env}/{key_alias|slug}-{key_spec|lower}', { env: 'prod' });
if (!t.ok) throw new Error(t.reason);
const template = t.template;
const scope = { projectId: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c', region: 'cn-north-4' };

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const key = (n: number, name: string, extra: Partial<KeyDetails> = {}): KeyDetails => ({
  key_id: id(n),
  key_alias: name,
  key_spec: 'AES_256',
  key_state: '2',
  default_key_flag: '0',
  keystore_id: '0',
  ...extra,
});
const alias = (n: number, name: string): AliasEntity => ({ key_id: id(n), alias: name });

describe('findDrift()', () => {
  it('reports nothing for a project that follows the convention', () => {
    const report = findDrift(
      [key(1, 'payments'), key(2, 'orders')],
      [alias(1, 'alias/prod/payments-aes_256'), alias(2, 'alias/prod/orders-aes_256')],
      template,
      scope,
    );
    expect(report).toMatchObject({ keys: 2, checked: 2, in_order: 2, aliases: 2, has_drift: false, drift: [] });
    expect(report.counts).toEqual({
      missing: 0,
      conflict: 0,
      non_conforming: 0,
      naming_failed: 0,
      held_by_pending_deletion: 0,
    });
  });

  it('finds a missing alias', () => {
    expect(findDrift([key(1, 'payments')], [], template, scope).drift).toEqual([
      { kind: 'missing', key_id: id(1), key_alias: 'payments', expected_alias: 'alias/prod/payments-aes_256' },
    ]);
  });

  it('finds an alias held by another key, once', () => {
    const report = findDrift(
      [key(1, 'payments'), key(2, 'payments-old')],
      [alias(2, 'alias/prod/payments-aes_256'), alias(2, 'alias/prod/payments-old-aes_256')],
      template,
      scope,
    );
    expect(report.drift).toEqual([
      {
        kind: 'conflict',
        key_id: id(1),
        key_alias: 'payments',
        expected_alias: 'alias/prod/payments-aes_256',
        held_by: id(2),
      },
    ]);
    expect(report.in_order).toBe(1);
  });

  it('finds non-conforming aliases but leaves conforming extra ones alone', () => {
    const report = findDrift(
      [key(1, 'payments')],
      [
        alias(1, 'alias/prod/payments-aes_256'),
        alias(1, 'alias/prod/renamed-aes_256'),
        alias(1, 'alias/PaymentsKey'),
        alias(1, 'alias/test/payments-aes_256'),
      ],
      template,
      scope,
    );
    expect(report.drift).toEqual([
      {
        kind: 'non_conforming',
        key_id: id(1),
        key_alias: 'payments',
        alias: 'alias/PaymentsKey',
        expected_alias: 'alias/prod/payments-aes_256',
      },
      {
        kind: 'non_conforming',
        key_id: id(1),
        key_alias: 'payments',
        alias: 'alias/test/payments-aes_256',
        expected_alias: 'alias/prod/payments-aes_256',
      },
    ]);
  });

  it('finds keys the template cannot name, and still checks their aliases', () => {
    const report = findDrift([key(1, ':::')], [alias(1, 'alias/odd')], template, scope);
    expect(report.drift).toEqual([
      {
        kind: 'naming_failed',
        key_id: id(1),
        key_alias: ':::',
        code: 'MISSING_FIELD',
        reason: expect.stringContaining('{key_alias|slug}'),
      },
      { kind: 'non_conforming', key_id: id(1), key_alias: ':::', alias: 'alias/odd' },
    ]);
  });

  it('says when two keys expect the same missing alias', () => {
    const report = findDrift([key(1, 'Payments'), key(2, 'payments')], [], template, scope);
    expect(report.drift.map((d) => d.kind === 'missing' && d.also_expected_by)).toEqual([[id(2)], [id(1)]]);
  });

  it('does not check skipped keys or their aliases, and counts them by reason', () => {
    const report = findDrift(
      [
        key(1, 'obs/default', { default_key_flag: '1' }),
        key(2, 'old', { key_state: '3' }),
        key(3, 'hsm', { keystore_id: 'ks-1' }),
        key(4, 'gone', { key_state: '4' }),
      ],
      [alias(2, 'alias/WhateverOld')],
      template,
      scope,
    );
    expect(report).toMatchObject({
      keys: 4,
      checked: 0,
      has_drift: false,
      skipped: { default_key: 1, disabled: 1, dedicated_keystore: 1, pending_deletion: 1 },
    });
  });

  it("reports the convention's aliases still held by a key pending deletion, and only those", () => {
    const report = findDrift(
      [key(4, 'gone', { key_state: '4', scheduled_deletion_date: '1793693730000' }), key(5, 'new')],
      [alias(4, 'alias/prod/gone-aes_256'), alias(4, 'alias/HandMade'), alias(5, 'alias/prod/new-aes_256')],
      template,
      scope,
    );
    expect(report.drift).toEqual([
      {
        kind: 'held_by_pending_deletion',
        key_id: id(4),
        key_alias: 'gone',
        alias: 'alias/prod/gone-aes_256',
        scheduled_deletion_date: '1793693730000',
      },
    ]);
    expect(report).toMatchObject({ checked: 1, in_order: 1, has_drift: true, skipped: { pending_deletion: 1 } });
    expect(report.counts.held_by_pending_deletion).toBe(1);
  });

  it('counts every kind on a project with all of them', () => {
    const report = findDrift(
      [
        key(1, 'missing'),
        key(2, 'taken'),
        key(3, 'holder'),
        key(4, 'legacy'),
        key(5, ':::'),
        key(6, 'gone', { key_state: '4' }),
      ],
      [
        alias(6, 'alias/prod/gone-aes_256'),
        alias(3, 'alias/prod/taken-aes_256'),
        alias(3, 'alias/prod/holder-aes_256'),
        alias(4, 'alias/prod/legacy-aes_256'),
        alias(4, 'legacy-bare'),
      ],
      template,
      scope,
    );
    expect(report.counts).toEqual({
      missing: 1,
      conflict: 1,
      non_conforming: 1,
      naming_failed: 1,
      held_by_pending_deletion: 1,
    });
    expect(report).toMatchObject({ checked: 5, in_order: 1, has_drift: true });
  });
});

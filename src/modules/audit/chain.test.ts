// The hashes of the audit chain: stable for events already written, independent of key order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainHash, GENESIS_HASH } from './chain.js';

describe('audit chain hashes', () => {
  const content = {
    recordedAt: '2026-11-25T10:00:00.000Z',
    actor: 'dr-smith',
    action: 'referral.send',
    outcome: 'success',
    entityType: 'Referral',
    entityId: '7',
    referralId: 7,
    detail: { to: 'ACTIVE', consent: [{ resourceType: 'Observation', decision: 'permit', grantId: 3 }], from: 'DRAFT', note: 'Überweisung — “quoted” \u2028' },
  };

  it('still gives the hashes the previous release wrote (scheme 1), so old chains verify', () => {
    // Computed by the release before hash schemes: its first event in TypeScript, the next in SQL.
    const first = chainHash(GENESIS_HASH, { ...content, seq: 1 }, 1);
    assert.equal(first, 'c235456ff1a7e96c865ec61579bfa18bfc8f0fe64358ba69c0e7c226b910c4d2');
    assert.equal(chainHash(first, { ...content, seq: 2 }, 1), 'a2022bc195fac8bd6f92dac074900ea616bba9128c1cf2184d91b2a2da66e67b');
  });

  it('does not depend on the order of keys at any depth (RFC 8785), as jsonb reorders them', () => {
    const reordered = {
      ...content,
      detail: { from: 'DRAFT', note: content.detail.note, consent: [{ grantId: 3, decision: 'permit', resourceType: 'Observation' }], to: 'ACTIVE' },
    };
    assert.equal(chainHash(GENESIS_HASH, { seq: 1, ...reordered }), chainHash(GENESIS_HASH, { ...content, seq: 1 }));
  });

  it('changes with any field, the position or the previous hash', () => {
    const hash = chainHash(GENESIS_HASH, { ...content, seq: 1 });
    assert.notEqual(chainHash(GENESIS_HASH, { ...content, seq: 2 }), hash);
    assert.notEqual(chainHash('1'.repeat(64), { ...content, seq: 1 }), hash);
    assert.notEqual(chainHash(GENESIS_HASH, { ...content, seq: 1, detail: { ...content.detail, to: 'COMPLETED' } }), hash);
  });

  it('refuses a scheme it does not know rather than guessing', () => {
    assert.throws(() => chainHash(GENESIS_HASH, { ...content, seq: 1 }, 9), /Unknown audit hash scheme 9/);
  });
});

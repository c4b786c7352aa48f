// The hashed text of an event: canonical JSON, with the position last so the database can finish it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../platform/canonical-json.js';
import { contentBeforeSeq } from './chain.js';

describe('audit chain content', () => {
  const content = {
    recordedAt: '2026-11-25T10:00:00.000Z',
    actor: 'dr-smith',
    action: 'referral.send',
    outcome: 'success',
    entityType: 'Referral',
    entityId: '7',
    referralId: 7,
    detail: { to: 'ACTIVE', consent: [{ resourceType: 'Observation', decision: 'permit', grantId: 3 }], from: 'DRAFT' },
  };

  it('is the canonical JSON of the event with its position completed', () => {
    assert.equal(`${contentBeforeSeq(content)}12}`, canonicalJson({ ...content, seq: 12 }));
  });

  it('sorts keys at every depth, so jsonb reordering does not change it', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }), '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

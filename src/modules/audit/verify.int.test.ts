// The audit trail: append-only in the database, hash-chained, and any tampering is found by verify.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testEngines } from '../../../test/support/engines.js';
import { createSentReferral, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';
import { verifyAuditChain } from './verify.js';

for (const engine of testEngines()) {
  describe(`audit chain on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    it('stays intact through concurrent activity', async () => {
      await Promise.all(Array.from({ length: 8 }, () => createSentReferral(hub)));
      await Promise.all(Array.from({ length: 8 }, (_, n) => grantConsent(hub, ['Observation'], `Patient/audit-${n}`)));
      const report = await verifyAuditChain(hub.database.db);
      assert.equal(report.intact, true, JSON.stringify(report));
      assert.ok(report.events >= 8 * 4 + 8);
    });

    it('refuses updates and deletes of audit events', async () => {
      await assert.rejects(sql`UPDATE audit_event SET actor = 'someone-else' WHERE seq = 1`.execute(hub.database.db), /append-only/);
      await assert.rejects(sql`DELETE FROM audit_event WHERE seq = 1`.execute(hub.database.db), /append-only/);
    });

    it('finds an edited event, naming it', async () => {
      const db = hub.database.db;
      await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
      try {
        await sql`UPDATE audit_event SET detail = '{"forged": true}' WHERE seq = 3`.execute(db);
        const report = await verifyAuditChain(db);
        assert.equal(report.intact, false);
        assert.equal(report.brokenAt?.seq, 3);
        assert.equal(report.events, 2);
      } finally {
        await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`.execute(db);
      }
    });
  });
}

describe('audit chain truncation', () => {
  it('finds events removed from the end', async () => {
    const hub = await startHarness(testEngines()[0]!);
    try {
      await createSentReferral(hub);
      const db = hub.database.db;
      await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
      await sql`DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)`.execute(db);
      const report = await verifyAuditChain(db);
      assert.equal(report.intact, false);
      assert.match(report.brokenAt?.reason ?? '', /removed/);
    } finally {
      await hub.close();
    }
  });
});

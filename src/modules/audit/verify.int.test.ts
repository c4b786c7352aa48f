// The audit trail: append-only in the database, hash-chained, and any tampering is found by verify.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testEngines } from '../../../test/support/engines.js';
import { createSentReferral, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';
import { systemClock } from '../../platform/clock.js';
import { CURRENT_HASH_SCHEME, chainHash, GENESIS_HASH } from './chain.js';
import { accessLogChain } from './access-log.js';
import { auditGroupCommit } from './group-commit.js';
import { appendAuditEvent } from './repo.js';
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
      assert.ok(report.chains >= 8 + 8, 'a chain per referral and per patient');
    });

    it('chains each referral on its own, in the order of its history', async () => {
      const referral = await createSentReferral(hub);
      const rows = await hub.database.db
        .selectFrom('audit_event')
        .select(['chain', 'chain_seq', 'action'])
        .where('referral_id', '=', referral.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        rows.map((row) => row.chain_seq),
        rows.map((_, index) => index + 1),
      );
      assert.ok(rows.every((row) => row.chain === `referral:${referral.id}`));
    });

    it("chains a completion: the task's event, then the referral's, both intact", async () => {
      const completed = await Promise.all(Array.from({ length: 4 }, () => completeLifecycle(hub)));
      for (const id of completed) {
        const rows = await hub.database.db.selectFrom('audit_event').select(['chain_seq', 'action']).where('referral_id', '=', id).orderBy('seq').execute();
        assert.deepEqual(
          rows.map((row) => row.action),
          ['referral.create', 'referral.send', 'task.update', 'task.update', 'task.update', 'referral.complete'],
        );
        assert.deepEqual(
          rows.map((row) => row.chain_seq),
          [1, 2, 3, 4, 5, 6],
        );
      }
      const report = await verifyAuditChain(hub.database.db);
      assert.equal(report.intact, true, JSON.stringify(report));
    });

    it('verifies a chain written under the previous hash scheme and continued under the current one, and finds a reordering', async () => {
      const db = hub.database.db;
      const chain = `legacy:${engine.name}`;
      let previous = GENESIS_HASH;
      for (const seq of [1, 2]) {
        const content = { recordedAt: `2026-01-0${seq}T09:00:00.000Z`, actor: 'dr-smith', action: 'legacy.event', outcome: 'success', entityType: 'Legacy' };
        const detail = { step: seq, note: 'Überweisung' };
        const hash = chainHash(previous, { ...content, entityId: '1', referralId: null, detail, seq }, 1);
        await sql`INSERT INTO audit_event (chain, chain_seq, recorded_at, actor, action, outcome, entity_type, entity_id, referral_id, detail, prev_hash, hash, hash_scheme)
          VALUES (${chain}, ${seq}, ${content.recordedAt}, ${content.actor}, ${content.action}, ${content.outcome}, ${content.entityType}, '1', NULL,
                  ${JSON.stringify(detail)}::jsonb, ${previous}, ${hash}, 1)`.execute(db);
        previous = hash;
      }
      await db.insertInto('audit_chain').values({ chain, last_seq: 2, last_hash: previous }).execute();
      await db
        .transaction()
        .execute((tx) =>
          appendAuditEvent(tx, systemClock, { actor: 'admin', action: 'legacy.continued', outcome: 'success', entityType: 'Legacy', entityId: 1, chain }),
        );
      const schemes = await db.selectFrom('audit_event').select('hash_scheme').where('chain', '=', chain).orderBy('chain_seq').execute();
      assert.deepEqual(
        schemes.map((row) => row.hash_scheme),
        [1, 1, CURRENT_HASH_SCHEME],
      );
      assert.equal((await verifyAuditChain(db)).intact, true);

      const swap = async () => {
        await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
        await sql`UPDATE audit_event SET chain_seq = -chain_seq WHERE chain = ${chain} AND chain_seq IN (1, 2)`.execute(db);
        await sql`UPDATE audit_event SET chain_seq = 3 + chain_seq WHERE chain = ${chain} AND chain_seq IN (-1, -2)`.execute(db);
        await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`.execute(db);
      };
      await swap();
      const reordered = await verifyAuditChain(db);
      assert.equal(reordered.intact, false);
      assert.deepEqual(reordered.brokenAt, { chain, seq: 1, reason: 'its link to the previous event does not match' });
      await swap();
      assert.equal((await verifyAuditChain(db)).intact, true);
    });

    it('refuses updates and deletes of audit events', async () => {
      await assert.rejects(sql`UPDATE audit_event SET actor = 'someone-else' WHERE seq = 1`.execute(hub.database.db), /append-only/);
      await assert.rejects(sql`DELETE FROM audit_event WHERE seq = 1`.execute(hub.database.db), /append-only/);
    });

    // It leaves this patient's access chain broken; verify walks the audit events' chains first.
    it('refuses updates and deletes of the access log, and finds a read edited or a batch removed in it', async () => {
      const db = hub.database.db;
      const accessLog = auditGroupCommit(db, systemClock);
      const patient = 'Patient/verify-reads';
      const read = (resourceType: string) =>
        accessLog.append({ at: new Date().toISOString(), clientId: 'verify-app', patient, resourceType, interaction: 'read', decision: 'permit' });
      await Promise.all(['Observation', 'Condition', 'Procedure'].map(read));
      await read('AllergyIntolerance');
      const chain = accessLogChain(patient);
      await assert.rejects(sql`UPDATE access_log SET reads = '[]' WHERE chain = ${chain}`.execute(db), /append-only/);
      await assert.rejects(sql`DELETE FROM access_log WHERE chain = ${chain}`.execute(db), /append-only/);
      assert.equal((await verifyAuditChain(db)).intact, true);

      await sql`ALTER TABLE access_log DISABLE TRIGGER access_log_append_only`.execute(db);
      try {
        const hidden = sql`jsonb_set(reads, '{0,resourceType}', '"Patient"')`;
        await sql`UPDATE access_log SET reads = ${hidden} WHERE chain = ${chain} AND chain_seq = 2`.execute(db);
        assert.deepEqual((await verifyAuditChain(db)).brokenAt, { chain, seq: 2, reason: 'its content does not match its hash' });
        await sql`DELETE FROM access_log WHERE chain = ${chain} AND chain_seq >= 2`.execute(db);
        assert.deepEqual((await verifyAuditChain(db)).brokenAt, { chain, seq: 2, reason: 'events after it have been removed' });
      } finally {
        await sql`ALTER TABLE access_log ENABLE TRIGGER access_log_append_only`.execute(db);
      }
    });

    it('finds an edited event, naming it', async () => {
      const db = hub.database.db;
      await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
      try {
        const referral = await createSentReferral(hub);
        await sql`UPDATE audit_event SET detail = '{"forged": true}' WHERE chain = ${`referral:${referral.id}`} AND chain_seq = 2`.execute(db);
        const report = await verifyAuditChain(db);
        assert.equal(report.intact, false);
        assert.deepEqual(report.brokenAt, { chain: `referral:${referral.id}`, seq: 2, reason: 'its content does not match its hash' });
      } finally {
        await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`.execute(db);
      }
    });
  });
}

/** A sent referral whose task the receiving side accepts and completes; its id. */
async function completeLifecycle(hub: Harness): Promise<number> {
  const referral = await createSentReferral(hub);
  for (const status of ['ACCEPTED', 'INPROGRESS', 'COMPLETED']) {
    const updated = await hub.request('PATCH', `/api/referrals/${referral.id}/tasks/${referral.taskId}`, { as: 'dr-patel', body: { status } });
    assert.equal(updated.status, 200);
  }
  return referral.id;
}

describe('audit chain removals', () => {
  async function removeAndVerify(remove: (db: Harness['database']['db'], chain: string) => Promise<unknown>) {
    const hub = await startHarness(testEngines()[0]!);
    try {
      const referral = await createSentReferral(hub);
      const db = hub.database.db;
      await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
      await remove(db, `referral:${referral.id}`);
      return { referral, report: await verifyAuditChain(db) };
    } finally {
      await hub.close();
    }
  }

  it('finds events removed from the end of a chain', async () => {
    const { referral, report } = await removeAndVerify((db, chain) =>
      sql`DELETE FROM audit_event WHERE chain = ${chain} AND chain_seq = (SELECT max(chain_seq) FROM audit_event WHERE chain = ${chain})`.execute(db),
    );
    assert.equal(report.intact, false);
    assert.equal(report.brokenAt?.chain, `referral:${referral.id}`);
    assert.match(report.brokenAt?.reason ?? '', /removed/);
  });

  it('finds an event removed from the middle of a chain', async () => {
    const { report } = await removeAndVerify((db, chain) => sql`DELETE FROM audit_event WHERE chain = ${chain} AND chain_seq = 1`.execute(db));
    assert.equal(report.intact, false);
    assert.equal(report.brokenAt?.seq, 1);
    assert.match(report.brokenAt?.reason ?? '', /missing/);
  });

  it('finds a whole chain removed', async () => {
    const { referral, report } = await removeAndVerify((db, chain) => sql`DELETE FROM audit_event WHERE chain = ${chain}`.execute(db));
    assert.equal(report.intact, false);
    assert.equal(report.brokenAt?.chain, `referral:${referral.id}`);
    assert.match(report.brokenAt?.reason ?? '', /every event/);
  });
});

// Group commit of one patient's reads: many concurrent appends, from two processes at once, each
// resolve once their read is stored, batched, and the chain of batches they make is whole, unforked
// and verifies — though each process keeps finding the chain moved by the other since it last wrote.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { systemClock } from '../../platform/clock.js';
import type { DatabaseHandle } from '../../database.js';
import { auditGroupCommit } from './group-commit.js';
import { accessLogChain } from './access-log.js';
import { verifyAuditChain } from './verify.js';

const PATIENT = 'Patient/group-commit';

for (const engine of testEngines())
  describe(`audit group commit on ${engine.name}`, () => {
    let database: DatabaseHandle;
    before(async () => {
      database = await engine.open();
    });
    after(() => database.close());

    it('stores every read of one patient appended at once by two processes, in batches of one intact chain', async () => {
      const processes = [auditGroupCommit(database.db, systemClock), auditGroupCommit(database.db, systemClock)];
      const read = (n: number) =>
        processes[n % 2]!.append({
          at: new Date().toISOString(),
          clientId: `app-${n}`,
          patient: PATIENT,
          resourceType: 'Observation',
          interaction: 'read',
          decision: 'permit',
        });
      // In waves, so that each process finds the chain moved by the other since it last wrote.
      for (let wave = 0; wave < 10; wave++) await Promise.all(Array.from({ length: 20 }, (_, n) => read(wave * 20 + n)));

      const batches = await database.db
        .selectFrom('access_log')
        .select(['chain_seq', 'reads'])
        .where('chain', '=', accessLogChain(PATIENT))
        .orderBy('chain_seq')
        .execute();
      assert.deepEqual(
        batches.map((batch) => Number(batch.chain_seq)),
        Array.from({ length: batches.length }, (_, n) => n + 1),
        'one position per batch, none twice, none skipped',
      );
      const reads = batches.flatMap((batch) => batch.reads.map((stored) => stored.clientId));
      assert.equal(reads.length, 200, 'every read stored once');
      assert.equal(new Set(reads).size, 200, 'every read stored once');
      assert.ok(batches.length < 200, `reads that arrived together were written together (${batches.length} batches)`);
      const report = await verifyAuditChain(database.db);
      assert.equal(report.intact, true, JSON.stringify(report));
    });

    it('writes a burst of reads in batches of at most 500', async () => {
      const accessLog = auditGroupCommit(database.db, systemClock);
      const patient = 'Patient/burst';
      await Promise.all(
        Array.from({ length: 1200 }, (_, n) =>
          accessLog.append({
            at: new Date().toISOString(),
            clientId: `app-${n}`,
            patient,
            resourceType: 'Observation',
            interaction: 'read',
            decision: 'permit',
          }),
        ),
      );
      const batches = await database.db.selectFrom('access_log').select('reads').where('chain', '=', accessLogChain(patient)).orderBy('chain_seq').execute();
      // The first read is written alone; the 1,199 that arrive while it is in flight follow in three batches.
      assert.deepEqual(
        batches.map((batch) => batch.reads.length),
        [1, 500, 500, 199],
      );
    });
  });

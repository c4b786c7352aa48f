// Group commit of one chain's events: many concurrent appends, from two processes at once, each
// resolve once their event is stored, and the chain they make is whole, unforked and verifies —
// though each process keeps finding the chain moved by the other since it last wrote.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { systemClock } from '../../platform/clock.js';
import type { DatabaseHandle } from '../../database.js';
import { auditGroupCommit } from './group-commit.js';
import { accessChain } from './repo.js';
import { verifyAuditChain } from './verify.js';

const PATIENT = 'Patient/group-commit';

for (const engine of testEngines())
  describe(`audit group commit on ${engine.name}`, () => {
    let database: DatabaseHandle;
    before(async () => {
      database = await engine.open();
    });
    after(() => database.close());

    it('stores every read of one patient appended at once by two processes, in one intact chain', async () => {
      const processes = [auditGroupCommit(database.db, systemClock), auditGroupCommit(database.db, systemClock)];
      const read = (n: number) =>
        processes[n % 2]!.append({
          actor: `smart:app-${n % 2}`,
          action: 'fhir.read',
          outcome: 'success',
          entityType: 'PatientData',
          entityId: PATIENT,
          chain: accessChain(PATIENT),
          detail: { read: n },
        });
      // In waves, so that each process finds the chain moved by the other since it last wrote.
      for (let wave = 0; wave < 10; wave++) await Promise.all(Array.from({ length: 20 }, (_, n) => read(wave * 20 + n)));

      const stored = await database.db
        .selectFrom('audit_event')
        .select(['chain_seq', 'detail'])
        .where('chain', '=', accessChain(PATIENT))
        .orderBy('chain_seq')
        .execute();
      assert.deepEqual(
        stored.map((event) => Number(event.chain_seq)),
        Array.from({ length: 200 }, (_, n) => n + 1),
        'one position per read, none twice, none skipped',
      );
      assert.deepEqual(new Set(stored.map((event) => event.detail.read)).size, 200, 'every read stored once');
      const report = await verifyAuditChain(database.db);
      assert.equal(report.intact, true, JSON.stringify(report));
    });
  });

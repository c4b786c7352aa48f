// What the patient is shown of their access log: the latest reads first, and the reads audited before
// the access log existed (audit events on the `fhir-access:` chain) after them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { systemClock } from '../../platform/clock.js';
import type { DatabaseHandle } from '../../database.js';
import { recentReadsOf } from './access-log.js';
import { auditGroupCommit } from './group-commit.js';
import { appendAuditEvent } from './repo.js';

const PATIENT = 'Patient/access-log';

for (const engine of testEngines())
  describe(`the access log on ${engine.name}`, () => {
    let database: DatabaseHandle;
    before(async () => {
      database = await engine.open();
    });
    after(() => database.close());

    it('shows the latest reads first, then those audited before the access log', async () => {
      const auditedBefore = { actor: 'smart:old-app', action: 'fhir.read', entityType: 'PatientData', entityId: PATIENT, chain: `fhir-access:${PATIENT}` };
      await appendAuditEvent(database.db, systemClock, { ...auditedBefore, outcome: 'success', detail: { clientId: 'old-app', resourceType: 'Immunization' } });
      const accessLog = auditGroupCommit(database.db, systemClock);
      const read = (resourceType: string, decision: 'permit' | 'deny') =>
        accessLog.append({ at: new Date().toISOString(), clientId: 'new-app', patient: PATIENT, resourceType, interaction: 'read', decision });
      await read('Observation', 'permit');
      await Promise.all([read('Condition', 'deny'), read('Procedure', 'permit')]);

      const shown = (reads: Awaited<ReturnType<typeof recentReadsOf>>) =>
        reads.map((r) => `${r.clientId} ${r.resourceType} ${r.allowed ? 'allowed' : 'refused'}`);
      assert.deepEqual(shown(await recentReadsOf(database.db, PATIENT, 10)), [
        'new-app Procedure allowed',
        'new-app Condition refused',
        'new-app Observation allowed',
        'old-app Immunization allowed',
      ]);
      assert.deepEqual(shown(await recentReadsOf(database.db, PATIENT, 2)), ['new-app Procedure allowed', 'new-app Condition refused']);
    });
  });

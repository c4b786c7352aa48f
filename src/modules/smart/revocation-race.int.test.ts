// Sixteen readers of one patient's records with one SMART token while the patient revokes: no read
// sent after the revocation was answered succeeds, and every read — allowed or refused — has its
// audit record in the patient's access log, which still verifies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../test/support/wait.js';
import { testEngines } from '../../../test/support/engines.js';
import { type Harness, startHarness, startReachableHarness } from '../../../test/support/harness.js';
import { launchDemoApp } from '../../../test/support/smart-launch.js';
import { seedDemoPortal } from '../demo/seed.js';
import { recentReadsOf } from '../audit/access-log.js';
import { verifyAuditChain } from '../audit/verify.js';

const PASSWORD = 'race-test-password';
const READERS = 16;

for (const engine of testEngines())
  describe(`reads racing a revocation on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startReachableHarness(engine);
      await seedDemoPortal(hub.database.db, hub.clock, PASSWORD);
    });
    after(() => hub.close());

    /** The app's reads in the patient's access log, newest first, as the patient is shown them. */
    const accessEvents = async () =>
      (await recentReadsOf(hub.database.db, 'Patient/ePatient-8675309', 1_000_000)).filter((read) => read.clientId === 'royal-london-cardiology-smart');

    it('refuses every read sent after the revocation was answered, and audits every read', async () => {
      // Observation stays consented, so the token lives on: each refusal is a decision on the patient's data.
      const token = await launchDemoApp(hub.baseUrl, { password: PASSWORD, allow: ['Observation', 'Condition'] });
      const grantId = ((await hub.request('GET', '/api/consent?patientId=ePatient-8675309&status=active', { as: 'patient' })).body.grants as any[]).find(
        (grant) => grant.resourceType === 'Condition',
      ).id;
      const auditedBefore = (await accessEvents()).length;
      const reads: { sentAt: number; status: number }[] = [];
      let revokedAt = Infinity;
      let stop = false;
      const reader = async () => {
        while (!stop) {
          const sentAt = performance.now();
          const response = await fetch(`${hub.baseUrl}/fhir/Condition?patient=ePatient-8675309`, {
            headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
          });
          await response.arrayBuffer();
          reads.push({ sentAt, status: response.status });
        }
      };
      const readers = Array.from({ length: READERS }, reader);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await hub.request('POST', `/api/consent/${grantId}/revoke`, { as: 'patient' })).status, 200);
      revokedAt = performance.now();
      // Until every reader has raced the revocation at least once (on a busy machine this takes longer than usual).
      await waitFor(() => reads.filter((read) => read.sentAt > revokedAt).length >= READERS, 'reads after the revocation', 30_000);
      stop = true;
      await Promise.all(readers);

      const before = reads.filter((read) => read.sentAt < revokedAt);
      const afterwards = reads.filter((read) => read.sentAt > revokedAt);
      assert.ok(
        before.some((read) => read.status === 200),
        'reads before the revocation were allowed',
      );
      assert.ok(afterwards.length >= READERS, `reads went on after the revocation (${afterwards.length})`);
      assert.deepEqual(
        [...new Set(afterwards.map((read) => read.status))],
        [403],
        `every read sent after the revocation was answered is refused: ${JSON.stringify(afterwards.filter((r) => r.status !== 403).map((r) => [r.status, Math.round(r.sentAt - revokedAt)]))}`,
      );
      const logged = await accessEvents();
      assert.equal(logged.length - auditedBefore, reads.length, 'every read has its audit record');
      const audited = logged.slice(0, reads.length);
      assert.equal(audited.filter((read) => read.allowed).length, reads.filter((read) => read.status === 200).length);
      assert.equal((await verifyAuditChain(hub.database.db)).intact, true);
    });
  });

for (const engine of testEngines())
  describe(`a revocation reaches every process on ${engine.name}`, () => {
    let first: Harness;
    let second: Harness;
    before(async () => {
      first = await startReachableHarness(engine);
      // The same service on a second process: its own caches, the same database and public address.
      second = await startHarness(engine, { database: first.database, demoDirectory: false, config: { publicBaseUrl: first.config.publicBaseUrl } });
      await seedDemoPortal(first.database.db, first.clock, PASSWORD);
    });
    after(async () => {
      await second.close();
      await first.close();
    });

    it('refuses reads on the other process soon after the patient revokes on this one, though it kept the grants', async () => {
      const token = await launchDemoApp(first.baseUrl, { password: PASSWORD, allow: ['Observation', 'Condition'] });
      const read = async () =>
        (
          await fetch(`${second.baseUrl}/fhir/Condition?patient=ePatient-8675309`, {
            headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
          })
        ).status;
      assert.equal(await read(), 200);
      assert.equal(await read(), 200, 'the other process has kept the grants and the token');
      const grants = (await first.request('GET', '/api/consent?patientId=ePatient-8675309&status=active', { as: 'patient' })).body.grants as any[];
      const condition = grants.find((grant) => grant.resourceType === 'Condition').id;
      assert.equal((await first.request('POST', `/api/consent/${condition}/revoke`, { as: 'patient' })).status, 200);
      const deadline = Date.now() + 5_000;
      let status = await read();
      while (status !== 403 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = await read();
      }
      assert.equal(status, 403, 'the other process hears of the revocation (NOTIFY consent_changed)');
    });
  });

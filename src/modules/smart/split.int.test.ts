// SMART App Launch on the referral side while consent runs as its own service (`--only`): the consent
// screen's choices are recorded by the consent service, over HTTP, as the patient's own grants
// (source `smart`), and a revocation made there refuses the app's very next read on the referral side
// and is found by the referral side's consent watch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { type Harness, startHarness } from '../../../test/support/harness.js';
import { freePort } from '../../../test/support/ports.js';
import { launchDemoApp } from '../../../test/support/smart-launch.js';
import { seedDemoPortal } from '../demo/seed.js';

const engine = testEngines()[0]!;
const PASSWORD = 'split-test-password';

describe('SMART launch on the referral side, consent as its own service', () => {
  let consentSide: Harness;
  let referralSide: Harness;

  before(async () => {
    const [referralPort, consentPort] = [await freePort(), await freePort()];
    const at = (port: number) => ({ port, publicBaseUrl: `http://127.0.0.1:${port}` });
    referralSide = await startHarness(engine, {
      config: {
        ...at(referralPort),
        modules: ['referrals'],
        consentUrl: `http://127.0.0.1:${consentPort}`,
        mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 },
      },
    });
    consentSide = await startHarness(engine, { database: referralSide.database, demoDirectory: false, config: { ...at(consentPort), modules: ['consent'] } });
    await seedDemoPortal(referralSide.database.db, referralSide.clock, PASSWORD);
  });
  after(async () => {
    await consentSide.close();
    await referralSide.close();
  });

  it("records the consent screen's choice with the consent service, and its revocation there refuses the very next read", async () => {
    const accessToken = await launchDemoApp(referralSide.baseUrl, { password: PASSWORD, allow: ['Condition'] });
    const grants = (await consentSide.request('GET', '/api/consent?patientId=ePatient-8675309&status=active', { as: 'patient' })).body.grants as {
      id: number;
      resourceType: string;
      source: string;
    }[];
    const condition = grants.find((grant) => grant.resourceType === 'Condition');
    assert.equal(condition?.source, 'smart', 'the grant is the patient’s own, made on the SMART consent screen');

    const read = () =>
      fetch(`${referralSide.baseUrl}/fhir/Condition?patient=ePatient-8675309`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' },
      });
    assert.equal((await read()).status, 200);
    assert.equal((await consentSide.request('POST', `/api/consent/${condition!.id}/revoke`, { as: 'patient' })).status, 200);
    const refused = await read();
    assert.equal(refused.status, 403);
    assert.match(JSON.stringify(await refused.json()), /not consented to share Condition/);

    // The referral side's consent watch follows changes of consent over HTTP, with its service token.
    const window = (from: Date) => `from=${from.toISOString()}&to=${new Date(from.getTime() + 60_000).toISOString()}`;
    const since = new Date(consentSide.clock.now().getTime() - 30_000);
    const changes = await consentSide.request('GET', `/api/consent/changes?${window(since)}`, { as: 'admin' });
    assert.ok(changes.body.changes.some((change: { patientId: string }) => change.patientId === 'Patient/ePatient-8675309'));
    assert.equal((await consentSide.request('GET', `/api/consent/changes?${window(since)}`, { as: 'dr-smith' })).status, 403);
    referralSide.clock.advance(1000);
    await referralSide.app.consentWatch.lookAtNextWindow();
  });
});

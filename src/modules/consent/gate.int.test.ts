// The consent gate in-process and over HTTP (consent running as its own service, `--only consent`)
// gives the same answers, and a send through either behaves the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';
import { ownTokens } from '../identity/service-token.js';
import { httpConsentGate, inProcessConsentGate } from './gate.js';
import { createConsentService } from './service.js';

const engine = testEngines()[0]!;

describe('consent gate: in-process and over HTTP', () => {
  let consentService: Harness;
  let referralService: Harness;

  before(async () => {
    consentService = await startHarness(engine, { config: { modules: ['consent'] } });
    referralService = await startHarness(engine, {
      database: consentService.database,
      config: { modules: ['referrals'], consentUrl: consentService.baseUrl },
    });
  });
  after(async () => {
    await referralService.close();
    await consentService.close();
  });

  it('gives the same answers both ways', async () => {
    await grantConsent(consentService, ['Observation', 'Condition']);
    const { db, clock } = { db: consentService.database.db, clock: consentService.clock };
    const local = inProcessConsentGate(createConsentService({ db, clock }));
    const remote = httpConsentGate(consentService.baseUrl, ownTokens(consentService.key, consentService.config.jwt, clock));
    const queries = [['Observation'], ['Observation', 'Condition'], ['Observation', 'Condition', 'DiagnosticReport'], ['MedicationRequest']].map(
      (resourceTypes) => ({ patientId: 'Patient/ePatient-8675309', clientId: 'royal-london-cardiology-smart', resourceTypes }),
    );
    for (const query of queries) {
      assert.deepEqual(await remote.evaluate(query), await local.evaluate(query));
    }
  });

  it('names the same consented types both ways (every R4 type asked over HTTP in parts the API accepts)', async () => {
    await grantConsent(consentService, ['Observation', 'Condition', 'Immunization']);
    const { db, clock } = { db: consentService.database.db, clock: consentService.clock };
    const local = inProcessConsentGate(createConsentService({ db, clock }));
    const remote = httpConsentGate(consentService.baseUrl, ownTokens(consentService.key, consentService.config.jwt, clock));
    const query = { patientId: 'Patient/ePatient-8675309', clientId: 'royal-london-cardiology-smart' };
    const consented = (await local.consentedTypes(query)).sort();
    assert.deepEqual(consented, ['Condition', 'Immunization', 'Observation']);
    assert.deepEqual((await remote.consentedTypes(query)).sort(), consented);
  });

  it('serves only its own module in each process: consent alone builds no SMART server, /fhir or mirror', async () => {
    assert.equal((await consentService.request('GET', '/api/referrals', { as: 'dr-smith' })).status, 404);
    assert.equal((await consentService.request('GET', '/fhir/metadata')).status, 404);
    assert.equal((await consentService.request('GET', '/.well-known/smart-configuration')).status, 404);
    assert.equal((await consentService.request('GET', '/api/admin/organizations', { as: 'admin' })).status, 404);
    assert.equal((await consentService.request('GET', '/health')).body.fhirMirror, undefined);
    assert.equal((await referralService.request('GET', '/fhir/metadata')).status, 200);
    assert.equal((await referralService.request('GET', '/api/consent?patientId=ePatient-8675309', { as: 'patient' })).status, 404);
  });

  it('sends through the remote gate: 422 naming the missing type, then 200 once consented', async () => {
    const id = await createDraft(referralService, { sharedResourceTypes: ['Observation', 'Encounter'] });
    const refused = await referralService.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.missingResourceTypes, ['Encounter']);
    await grantConsent(consentService, ['Encounter']);
    const sent = await referralService.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.consentVerified, true);
  });

  it('never sends when the consent service cannot answer: 503, the draft unchanged', async () => {
    const down = await startHarness(engine, {
      database: consentService.database,
      config: { modules: ['referrals'], consentUrl: 'http://127.0.0.1:9' },
    });
    try {
      const id = await createDraft(down, { sharedResourceTypes: ['Observation'] });
      const response = await down.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(response.status, 503);
      assert.equal(response.body.code, 'CONSENT_SERVICE_UNAVAILABLE');
      assert.equal((await down.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.status, 'DRAFT');
    } finally {
      await down.close();
    }
  });
});

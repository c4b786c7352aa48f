// Consent grants and evaluation: deny by default, permit only under an active grant in its period,
// naming the grant; patients manage only their own consent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, startHarness, type Harness } from '../../../test/support/harness.js';
import { createConsentService } from './service.js';

const CLIENT = 'royal-london-cardiology-smart';
const ME = 'Patient/ePatient-8675309';

for (const engine of testEngines()) {
  describe(`consent on ${engine.name}`, () => {
    let hub: Harness;
    let patientSeq = 0;
    const newPatient = () => `Patient/consent-${engine.name}-${++patientSeq}`;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    const grant = (patientId: string, resourceTypes: string[], period?: object) =>
      hub.request('POST', '/api/consent', { as: 'admin', body: { patientId, clientId: CLIENT, resourceTypes, ...(period ? { period } : {}) } });
    const evaluate = (patientId: string, resourceTypes: string[], clientId = CLIENT) =>
      hub.request('POST', '/api/consent/evaluate', { as: 'admin', body: { patientId, clientId, resourceTypes } });

    it('denies by default', async () => {
      const answer = await evaluate(newPatient(), ['Observation']);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.decision, 'deny');
      assert.equal(answer.body.decisions[0].grant, null);
    });

    it('permits a granted type, naming the deciding grant, and only for that client and type', async () => {
      const patient = newPatient();
      const granted = await grant(patient, ['Observation']);
      assert.equal(granted.status, 201);
      const answer = await evaluate(patient, ['Observation']);
      assert.equal(answer.body.decision, 'permit');
      assert.equal(answer.body.decisions[0].grant.id, granted.body.grants[0].id);
      assert.equal((await evaluate(patient, ['Condition'])).body.decision, 'deny');
      assert.equal((await evaluate(patient, ['Observation'], 'city-hospital-smart')).body.decision, 'deny');
      const mixed = await evaluate(patient, ['Observation', 'Condition']);
      assert.equal(mixed.body.decision, 'deny');
      assert.deepEqual(
        mixed.body.decisions.map((d: any) => d.decision),
        ['permit', 'deny'],
      );
    });

    it('takes a single resourceType too, and a bare patient id', async () => {
      const patient = newPatient();
      await grant(patient, ['Condition']);
      const answer = await hub.request('POST', '/api/consent/evaluate', {
        as: 'admin',
        body: { patientId: patient.replace('Patient/', ''), clientId: CLIENT, resourceType: 'Condition' },
      });
      assert.equal(answer.body.decision, 'permit');
    });

    it('honours the grant period', async () => {
      const patient = newPatient();
      const now = hub.clock.now().getTime();
      await grant(patient, ['Observation'], { start: new Date(now + 86_400_000).toISOString() });
      await grant(patient, ['Condition'], { end: new Date(now - 1000).toISOString() });
      await grant(patient, ['Procedure'], { start: new Date(now - 1000).toISOString(), end: new Date(now + 86_400_000).toISOString() });
      const answer = await evaluate(patient, ['Observation', 'Condition', 'Procedure']);
      assert.deepEqual(
        answer.body.decisions.map((d: any) => d.decision),
        ['deny', 'deny', 'permit'],
      );
    });

    it('denies after revocation; revoking twice is harmless', async () => {
      const patient = newPatient();
      const [created] = (await grant(patient, ['Observation'])).body.grants;
      const revoked = await hub.request('POST', `/api/consent/${created.id}/revoke`, { as: 'admin' });
      assert.equal(revoked.body.status, 'revoked');
      assert.ok(revoked.body.revokedAt);
      assert.equal((await evaluate(patient, ['Observation'])).body.decision, 'deny');
      assert.equal((await hub.request('POST', `/api/consent/${created.id}/revoke`, { as: 'admin' })).status, 200);
    });

    it('lets the patient manage their own consent and nobody else’s', async () => {
      const mine = await hub.request('POST', '/api/consent', { as: 'patient', body: { patientId: ME, clientId: CLIENT, resourceTypes: ['Immunization'] } });
      assert.equal(mine.status, 201);
      assert.equal(mine.body.grants[0].source, 'api');
      const other = newPatient();
      assert.equal(
        (await hub.request('POST', '/api/consent', { as: 'patient', body: { patientId: other, clientId: CLIENT, resourceTypes: ['Observation'] } })).status,
        403,
      );
      assert.equal((await hub.request('GET', `/api/consent?patientId=${other}`, { as: 'patient' })).status, 403);
      const list = await hub.request('GET', `/api/consent?patientId=${ME}`, { as: 'patient' });
      assert.ok(list.body.grants.some((g: any) => g.id === mine.body.grants[0].id));
      const [othersGrant] = (await grant(other, ['Observation'])).body.grants;
      assert.equal((await hub.request('POST', `/api/consent/${othersGrant.id}/revoke`, { as: 'patient' })).status, 404);
      assert.equal(
        (await hub.request('POST', '/api/consent', { as: 'dr-smith', body: { patientId: ME, clientId: CLIENT, resourceTypes: ['Observation'] } })).status,
        403,
      );
    });

    it('answers the patient, admins, and clinicians referring the patient — nobody else, and names no login', async () => {
      const body = { patientId: ME, clientId: CLIENT, resourceTypes: ['Observation'] };
      const own = await hub.request('POST', '/api/consent/evaluate', { as: 'patient', body });
      assert.equal(own.status, 200);
      assert.equal((await hub.request('POST', '/api/consent/evaluate', { as: 'patient', body: { ...body, patientId: newPatient() } })).status, 403);
      assert.equal((await hub.request('POST', '/api/consent/evaluate', { as: 'dr-other', body })).status, 403, 'a clinician with no referral of this patient');
      await createDraft(hub);
      const referring = await hub.request('POST', '/api/consent/evaluate', { as: 'dr-smith', body });
      assert.equal(referring.status, 200, 'the GP drafting a referral for the patient');
      assert.equal(
        (await hub.request('POST', '/api/consent/evaluate', { as: 'dr-patel', body })).status,
        403,
        'the receiving side of a draft has no referral of theirs',
      );
      const decided = referring.body.decisions.find((d: { grant: unknown }) => d.grant);
      if (decided) assert.ok(['patient', 'administrator'].includes(decided.grant.grantedBy));
      assert.doesNotMatch(JSON.stringify([own.body, referring.body]), /portal:|smart:/);
    });

    it('lists the types consented now, leaving out grants whose period has ended', async () => {
      const patient = newPatient();
      const end = new Date(hub.clock.now().getTime() + 60_000).toISOString();
      await grant(patient, ['Observation'], { end });
      await grant(patient, ['Condition']);
      const consent = createConsentService({ db: hub.database.db, clock: hub.clock });
      assert.deepEqual((await consent.consentedTypes({ patientId: patient, clientId: CLIENT })).sort(), ['Condition', 'Observation']);
      hub.clock.advance(61_000);
      assert.deepEqual(await consent.consentedTypes({ patientId: patient, clientId: CLIENT }), ['Condition']);
    });

    it('names the field of bad input', async () => {
      const cases: Array<[object, string]> = [
        [{ patientId: ME, clientId: CLIENT, resourceTypes: ['Banana'] }, 'body.resourceTypes[0]'],
        [{ patientId: ME, clientId: CLIENT, resourceTypes: [] }, 'body.resourceTypes'],
        [{ patientId: ME, resourceTypes: ['Observation'] }, 'body.clientId'],
        [
          { patientId: ME, clientId: CLIENT, resourceTypes: ['Observation'], period: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } },
          'body.period.end',
        ],
      ];
      for (const [body, field] of cases) {
        const response = await hub.request('POST', '/api/consent', { as: 'admin', body });
        assert.equal(response.status, 400, field);
        assert.equal(response.body.field, field);
      }
      const neither = await hub.request('POST', '/api/consent/evaluate', { as: 'admin', body: { patientId: ME, clientId: CLIENT } });
      assert.equal(neither.status, 400);
      assert.equal(neither.body.field, 'body.resourceTypes');
    });
  });
}

// The FHIR ids of the service's records: the application and the mirror's SQL triggers name every
// record alike, and an id of one kind is never read as another's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testEngines } from '../../../test/support/engines.js';
import type { DatabaseHandle } from '../../database.js';
import { FHIR_ID_PREFIXES, fhirIdOf, recordIdOf, type RecordKind } from './fhir-ids.js';
import { FHIR_R4_RESOURCE_TYPES, isFhirResourceType } from './resource-types.js';

const kinds = Object.keys(FHIR_ID_PREFIXES) as RecordKind[];

for (const engine of testEngines()) {
  describe(`FHIR ids on ${engine.name}`, () => {
    let database: DatabaseHandle;
    before(async () => {
      database = await engine.open();
    });
    after(() => database.close());

    it('spells every kind of record the same in SQL (fhir_id, used by the mirror triggers) as in the application', async () => {
      for (const kind of kinds) {
        for (const id of [1, 42, 9_007_199_254_740_991]) {
          const { rows } = await sql<{ id: string }>`SELECT fhir_id(${kind}, ${id}::bigint) AS id`.execute(database.db);
          assert.equal(rows[0]!.id, fhirIdOf(kind, id), `${kind} ${id}`);
        }
      }
    });
  });
}

describe('FHIR ids read back', () => {
  it('gives the record id of its own kind only', () => {
    assert.equal(recordIdOf('referral', fhirIdOf('referral', 12)), 12);
    assert.equal(recordIdOf('task', fhirIdOf('task', 40)), 40);
    assert.equal(recordIdOf('referral', fhirIdOf('task', 40)), undefined, 'referral-task-40 is no referral');
    for (const malformed of ['referral-', 'referral-012', 'referral-1e3', 'referral--1', 'referral-99999999999999999']) {
      assert.equal(recordIdOf('referral', malformed), undefined, malformed);
    }
  });
});

describe('FHIR R4 resource types', () => {
  it("are R4's 146 from HL7's definitions: Observation and Task are, R4B's SubscriptionStatus and Medplum's Bot are not", () => {
    assert.equal(FHIR_R4_RESOURCE_TYPES.size, 146);
    for (const type of ['Observation', 'Task', 'ServiceRequest', 'Consent']) assert.ok(isFhirResourceType(type), type);
    for (const type of ['SubscriptionStatus', 'Bot', 'Resource', 'DomainResource', 'observation']) assert.ok(!isFhirResourceType(type), type);
  });
});

// What the embedded store indexes of a resource for search.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchColumnsOf } from './search-columns.js';

describe('search columns', () => {
  it('indexes a Task by its patient, status and identifiers', () => {
    const columns = searchColumnsOf({
      resourceType: 'Task',
      id: 't',
      status: 'accepted',
      intent: 'order',
      for: { reference: 'Patient/p1' },
      identifier: [{ system: 'urn:x', value: '7' }],
    });
    assert.deepEqual(columns, { compartments: ['Patient/p1'], statuses: ['accepted'], identifiers: ['urn:x|7', '7'] });
  });

  it('puts a Patient in its own compartment and an Observation in its subject’s', () => {
    assert.deepEqual(searchColumnsOf({ resourceType: 'Patient', id: 'p2' }).compartments, ['Patient/p2']);
    assert.deepEqual(searchColumnsOf({ resourceType: 'Observation', id: 'o', status: 'final', code: {}, subject: { reference: 'Patient/p2' } }).compartments, [
      'Patient/p2',
    ]);
  });

  it('puts a Consent in its patient’s compartment and an AuditEvent in its entities’', () => {
    assert.deepEqual(
      searchColumnsOf({ resourceType: 'Consent', id: 'c', status: 'active', scope: {}, category: [], patient: { reference: 'Patient/p3' } }).compartments,
      ['Patient/p3'],
    );
    const audit = searchColumnsOf({
      resourceType: 'AuditEvent',
      id: 'a',
      type: {},
      recorded: '2026-01-01T00:00:00Z',
      agent: [],
      source: { observer: {} },
      entity: [{ what: { reference: 'ServiceRequest/referral-1' } }],
    });
    assert.deepEqual(audit.compartments, ['ServiceRequest/referral-1']);
  });
});

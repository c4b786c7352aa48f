// SMART scopes: v1 and v2 syntax, wildcards, and narrowing to what the patient allowed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandWildcardScopes, narrowedScopes, parsePatientScope, requestedTypes, scopesAllow } from './scopes.js';

describe('SMART scopes', () => {
  it('reads v1 .read and v2 .rs, .r and .s', () => {
    assert.deepEqual(parsePatientScope('patient/Observation.read'), { resourceType: 'Observation', read: true, search: true });
    assert.deepEqual(parsePatientScope('patient/Condition.rs'), { resourceType: 'Condition', read: true, search: true });
    assert.deepEqual(parsePatientScope('patient/Condition.r'), { resourceType: 'Condition', read: true, search: false });
    assert.deepEqual(parsePatientScope('patient/*.s'), { resourceType: '*', read: false, search: true });
    assert.equal(parsePatientScope('user/Observation.read'), undefined);
    assert.equal(parsePatientScope('patient/Observation.sr'), undefined, 'v2 permissions come in order');
  });

  it('lets a scope read only its type, and * every type', () => {
    assert.ok(scopesAllow(['patient/Observation.rs'], 'Observation', 'search'));
    assert.ok(!scopesAllow(['patient/Observation.rs'], 'Condition', 'search'));
    assert.ok(!scopesAllow(['patient/Observation.r'], 'Observation', 'search'));
    assert.ok(scopesAllow(['patient/*.read'], 'DiagnosticReport', 'read'));
  });

  it('expands * to the types the app asks for, and narrows to what the patient allowed', () => {
    const requested = ['launch/patient', 'openid', 'patient/*.read'];
    assert.deepEqual(requestedTypes(requested, ['Observation', 'Condition']), ['Observation', 'Condition']);
    assert.deepEqual(narrowedScopes(requested, ['Observation']), ['launch/patient', 'openid', 'patient/Observation.read']);
    assert.deepEqual(narrowedScopes(['patient/Condition.rs', 'patient/Observation.rs'], ['Observation']), ['patient/Observation.rs']);
  });

  it('asks patient/*.<permissions> as one scope per registered type', () => {
    assert.deepEqual(expandWildcardScopes(['openid', 'patient/*.rs', 'patient/Observation.rs'], ['Observation', 'Condition']), [
      'openid',
      'patient/Observation.rs',
      'patient/Condition.rs',
    ]);
  });
});

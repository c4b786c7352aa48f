import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainGrantSource, plainResourceType } from './plain-language.js';

describe('resource types in plain language', () => {
  it('names the kinds of record the issue lists as a patient would', () => {
    assert.equal(plainResourceType('Observation'), 'Test results and measurements');
    assert.equal(plainResourceType('Condition'), 'Diagnoses and health problems');
    assert.equal(plainResourceType('DiagnosticReport'), 'Reports');
  });

  it('reads a type it does not know as words, not as one run-together name', () => {
    assert.equal(plainResourceType('NutritionOrder'), 'Nutrition order');
  });

  it('says how a grant was given without the system’s codes', () => {
    assert.equal(plainGrantSource('portal'), 'in this portal');
    assert.equal(plainGrantSource('smart'), 'when the app asked you');
  });
});

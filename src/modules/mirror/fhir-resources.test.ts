// Every kind of resource the mirror emits validates against the FHIR R4 base definitions.
import '../../platform/node-globals.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { AuditEventRow } from '../audit/tables.js';
import type { ConsentGrantRow } from '../consent/tables.js';
import type { ReferralRow } from '../referrals/tables.js';
import { toFhirAuditEvent } from '../audit/fhir-resources.js';
import { toFhirConsent } from '../consent/fhir-resources.js';
import { demoClinicalRecord } from '../demo/clinical-record.js';
import { loadFhirDefinitions } from '../fhir/definitions.js';
import { toBinary, toDocumentReference, toFhirTask, toServiceRequest } from '../referrals/fhir-resources.js';
import type { AdviceMessageRow, AdviceRequestRow, AttachmentRow } from '../referrals/tables.js';
import { toCommunication, toCommunicationRequest } from '../referrals/advice-fhir.js';

const BASE = 'http://localhost:8080';
const at = new Date('2026-11-25T10:00:00Z');

const referral: ReferralRow = {
  id: 7,
  version: 3,
  status: 'ACTIVE',
  patient_id: 'Patient/ePatient-8675309',
  requester_id: 'Practitioner/dr-smith',
  performer_id: 'Organization/royal-london-cardiology',
  receiving_facility_client_id: 'royal-london-cardiology-smart',
  referral_code: '183519002',
  referral_display: 'Referral to cardiology service',
  priority: 'URGENT',
  priority_rank: 2,
  reason_codes: ['I20.9'],
  clinical_note: 'Exertional chest pain, 3 weeks.',
  shared_resource_types: ['Observation', 'Condition'],
  occurrence_date: '2025-07-15',
  sending_organisation_id: 'Organization/anytown-gp-practice',
  receiving_organisation_id: 'Organization/royal-london-cardiology',
  consent_verified: true,
  authored_on: at,
  response_due_at: at,
  hold_reason: null,
  revocation_reason: null,
  outcome: null,
  advice_request_id: null,
  consent_lost: [],
  created_by: 'dr-smith',
  created_at: at,
  updated_at: at,
};
const task = {
  id: 4,
  referral_id: 7,
  version: 2,
  status: 'REJECTED',
  owner_id: 'Organization/royal-london-cardiology',
  requester_id: 'Practitioner/dr-smith',
  rejection_reason: 'Not a cardiology case',
  rejection_code: 'WRONG_SERVICE',
  outcome: null,
  created_at: at,
  updated_at: at,
  notes: [
    { id: 1, task_id: 4, author: 'Practitioner/dr-patel', status: 'RECEIVED', text: 'Seen', created_at: at },
    { id: 2, task_id: 4, author: 'admin', status: 'REJECTED', text: 'Closed', created_at: at },
  ],
};
const audit: AuditEventRow = {
  seq: 12,
  hash_scheme: 2,
  chain: 'referral:7',
  chain_seq: 2,
  recorded_at: at,
  actor: 'dr-smith',
  action: 'referral.sent',
  outcome: 'success',
  entity_type: 'Referral',
  entity_id: '7',
  referral_id: 7,
  detail: { decisions: [{ resourceType: 'Condition', decision: 'permit', grantId: 3 }] },
  prev_hash: 'a',
  hash: 'b',
};
const grant: ConsentGrantRow = {
  id: 3,
  patient_id: 'Patient/ePatient-8675309',
  client_id: 'royal-london-cardiology-smart',
  resource_type: 'Condition',
  period_start: at,
  period_end: null,
  source: 'portal',
  status: 'revoked',
  granted_by: 'patient',
  granted_as: 'patient',
  created_at: at,
  revoked_at: at,
  revoked_by: 'patient',
};

const attachment: AttachmentRow = {
  id: 3,
  referral_id: 7,
  advice_request_id: null,
  file_name: 'letter.pdf',
  content_type: 'application/pdf',
  size_bytes: 20,
  sha256: 'a'.repeat(64),
  description: 'GP referral letter',
  uploaded_by: 'dr-smith',
  author: 'Practitioner/dr-smith',
  uploaded_at: at,
};

const adviceRequest: AdviceRequestRow = {
  id: 5,
  version: 2,
  status: 'AWAITING_REQUESTER',
  patient_id: 'Patient/ePatient-8675309',
  requester_id: 'Practitioner/dr-smith',
  sending_organisation_id: 'Organization/anytown-gp-practice',
  performer_id: 'Organization/royal-london-cardiology',
  receiving_organisation_id: 'Organization/royal-london-cardiology',
  receiving_facility_client_id: 'royal-london-cardiology-smart',
  subject: 'Raised troponin',
  shared_resource_types: [],
  please_refer: true,
  referral_id: null,
  created_by: 'dr-smith',
  created_at: at,
  updated_at: at,
};
const adviceMessage: AdviceMessageRow = {
  id: 9,
  advice_request_id: 5,
  author: 'Practitioner/dr-patel',
  side: 'specialist',
  text: 'Please refer.',
  please_refer: true,
  created_at: at,
};

const samples: Record<string, Resource> = {
  CommunicationRequest: toCommunicationRequest(adviceRequest),
  'CommunicationRequest (converted)': toCommunicationRequest({ ...adviceRequest, status: 'CONVERTED', referral_id: 7 }),
  Communication: toCommunication(adviceMessage, adviceRequest, 8),
  'Communication (the question)': toCommunication(
    { ...adviceMessage, side: 'requester', author: 'Practitioner/dr-smith', please_refer: false },
    adviceRequest,
    undefined,
  ),
  'ServiceRequest (converted from advice)': toServiceRequest({ ...referral, advice_request_id: 5 }, BASE, [3]),
  'ServiceRequest (with attachments)': toServiceRequest(referral, BASE, [3, 4]),
  DocumentReference: toDocumentReference(attachment, referral.patient_id),
  'DocumentReference (by an account, no description)': toDocumentReference({ ...attachment, author: 'admin', description: null }, referral.patient_id),
  Binary: toBinary(attachment, new TextEncoder().encode('%PDF-1.4\n%%EOF\n')),
  ServiceRequest: toServiceRequest(referral, BASE),
  'ServiceRequest (draft, no note)': toServiceRequest(
    { ...referral, status: 'DRAFT', clinical_note: null, referral_display: null, authored_on: null, occurrence_date: null },
    BASE,
  ),
  Task: toFhirTask(task, referral),
  'Task (requested, no notes)': toFhirTask({ ...task, status: 'REQUESTED', rejection_reason: null, rejection_code: null, notes: [] }, referral),
  'Task (returned with advice)': toFhirTask(
    { ...task, status: 'COMPLETED', rejection_reason: null, rejection_code: null, outcome: 'RETURNED_WITH_ADVICE' },
    referral,
  ),
  'Task (cancelled by a redirect)': toFhirTask({ ...task, status: 'CANCELLED', rejection_reason: null, rejection_code: null, outcome: 'REDIRECTED' }, referral),
  AuditEvent: toFhirAuditEvent(audit, BASE),
  'AuditEvent (failure, no detail)': toFhirAuditEvent({ ...audit, outcome: 'failure', detail: {}, entity_type: 'Other' }, BASE),
  Consent: toFhirConsent(grant, BASE),
  'Consent (active, open period)': toFhirConsent({ ...grant, status: 'active', period_start: null }, BASE),
};

describe('FHIR resources the mirror emits', () => {
  loadFhirDefinitions();
  for (const [kind, resource] of Object.entries(samples)) {
    it(`${kind} validates against R4`, () => {
      assert.deepEqual(validateResource(resource), []);
    });
  }

  for (const entry of demoClinicalRecord().entry ?? []) {
    it(`the demo record's ${entry.resource!.resourceType}/${entry.resource!.id} validates against R4`, () => {
      assert.deepEqual(validateResource(entry.resource!), []);
    });
  }

  it('the validator does catch invalid resources (so the checks above mean something)', () => {
    const { intent: _intent, ...taskWithoutIntent } = samples.Task as Resource & { intent: string };
    assert.throws(() => validateResource(taskWithoutIntent as Resource), /Task.intent/);
    const { policyRule: _rule, ...consentWithoutRule } = samples.Consent as Resource & { policyRule: unknown };
    assert.throws(() => validateResource(consentWithoutRule as Resource), /ppc-1/);
  });

  it('maps statuses, notes and the rejection reason onto the Task', () => {
    const fhirTask = samples.Task as any;
    assert.equal(fhirTask.status, 'rejected');
    assert.equal(fhirTask.statusReason.text, 'Not a cardiology case');
    assert.deepEqual(fhirTask.statusReason.coding, [{ system: 'urn:referral-hub:rejection-reason', code: 'wrong-service', display: 'Wrong service' }]);
    assert.equal(fhirTask.businessStatus.coding[0].code, 'rejected');
    assert.deepEqual(
      fhirTask.note.map((n: any) => n.authorReference?.reference ?? n.authorString),
      ['Practitioner/dr-patel', 'admin'],
    );
    assert.equal(fhirTask.focus.reference, 'ServiceRequest/referral-7');
  });

  it('carries a return with advice back as the Task output: the outcome and the advice (its last note)', () => {
    const returned = samples['Task (returned with advice)'] as any;
    assert.equal(returned.status, 'completed');
    assert.equal(returned.businessStatus.coding[0].code, 'returned-with-advice');
    assert.deepEqual(
      returned.output.map((output: any) => [output.type.text, output.valueCodeableConcept?.coding[0].code ?? output.valueString]),
      [
        ['outcome', 'returned-with-advice'],
        ['advice', returned.note.at(-1).text],
      ],
    );
    assert.equal((samples['Task (cancelled by a redirect)'] as any).businessStatus.coding[0].code, 'redirected');
  });
});

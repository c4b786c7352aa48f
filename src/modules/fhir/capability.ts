// The embedded server's CapabilityStatement: what /fhir reads, searches and accepts.
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { BACKPORT, REFERRAL_CHANGES_TOPIC } from '../vocabulary/subscription-topics.js';
import { SUPPORTED_SEARCH_PARAMETERS } from './search.js';

const SERVED_TYPES = [
  'ServiceRequest',
  'Task',
  'AuditEvent',
  'Consent',
  'Patient',
  'Condition',
  'Observation',
  'DiagnosticReport',
  'Practitioner',
  'Organization',
] as const;

export function capabilityStatement(fhirBaseUrl: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-25',
    kind: 'instance',
    software: { name: 'Referral Hub embedded FHIR store' },
    implementation: { description: 'Referral Hub FHIR R4 endpoint', url: fhirBaseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'Bearer tokens are required',
        },
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource: [...SERVED_TYPES.map(servedType), subscriptions],
      },
    ],
  };
}

/** Topic-based Subscriptions to referral changes (R4 Subscriptions Backport IG). */
const subscriptions: CapabilityStatementRestResource = {
  extension: [{ url: BACKPORT.topicCanonical, valueCanonical: REFERRAL_CHANGES_TOPIC }],
  type: 'Subscription',
  supportedProfile: [BACKPORT.subscriptionProfile],
  interaction: [{ code: 'create' }, { code: 'read' }, { code: 'delete' }, { code: 'search-type' }],
  operation: [
    { name: 'status', definition: BACKPORT.statusOperation },
    { name: 'events', definition: BACKPORT.eventsOperation },
  ],
};

function servedType(type: (typeof SERVED_TYPES)[number]): CapabilityStatementRestResource {
  return {
    type,
    versioning: 'versioned',
    readHistory: true,
    interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'history-instance' }, { code: 'search-type' }, { code: 'update' }, { code: 'create' }],
    searchParam: SUPPORTED_SEARCH_PARAMETERS.map((name) => ({
      name,
      type: name === '_lastUpdated' ? 'date' : name === 'patient' || name === 'subject' ? 'reference' : 'token',
    })),
  };
}

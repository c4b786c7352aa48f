// An audit event as an R4 AuditEvent for the FHIR mirror: who did what to which record, when, with
// what outcome, and the event's own detail (the consent decisions of a send among them).
import { fhirIdOf } from '../vocabulary/fhir-ids.js';
import type { AuditEvent, AuditEventEntity, Reference } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { AuditEventRow } from './tables.js';
import { numberedSource, type MirrorSources } from '../vocabulary/record-sources.js';

const auditEventId = (seq: number) => fhirIdOf('audit', seq);

/** The FHIR resource each of our entity types is mirrored as, and how its id is formed. */
const MIRRORED_ENTITY: Record<string, (id: string) => string> = {
  Referral: (id) => `ServiceRequest/${fhirIdOf('referral', id)}`,
  ReferralTask: (id) => `Task/${fhirIdOf('task', id)}`,
  ConsentGrant: (id) => `Consent/${fhirIdOf('consent', id)}`,
};

export function toFhirAuditEvent(row: AuditEventRow, baseUrl: string): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: auditEventId(row.seq),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: `${baseUrl}/audit-actions`, code: row.action }],
    recorded: row.recorded_at.toISOString(),
    outcome: row.outcome === 'success' ? '0' : '4',
    agent: [{ who: { identifier: { system: `${baseUrl}/users`, value: row.actor } }, requestor: true }],
    source: { site: baseUrl, observer: { display: 'Referral Hub' } },
    entity: [entityOf(row, baseUrl)],
  };
}

function entityOf(row: AuditEventRow, baseUrl: string): AuditEventEntity {
  const mirrored = MIRRORED_ENTITY[row.entity_type];
  const what: Reference = mirrored ? { reference: mirrored(row.entity_id) } : { identifier: { system: `${baseUrl}/${row.entity_type}`, value: row.entity_id } };
  const detail = Object.keys(row.detail).length > 0 ? [{ type: 'detail', valueString: JSON.stringify(row.detail) }] : [];
  return { what, ...(detail.length > 0 && { detail }) };
}

export function auditMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  return {
    AuditEvent: numberedSource(
      'audit',
      (seqs) => db.selectFrom('audit_event').selectAll().where('seq', 'in', seqs).execute(),
      (row) => toFhirAuditEvent(row, baseUrl),
    ),
  };
}

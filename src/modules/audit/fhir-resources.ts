// An audit event as an R4 AuditEvent for the FHIR mirror: who did what to which record, when, with
// what outcome, and the event's own detail (the consent decisions of a send among them). Each read of
// the access log is mirrored as an AuditEvent of its own.
import { fhirIdOf } from '../vocabulary/fhir-ids.js';
import type { AuditEvent, AuditEventEntity, Reference, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { AccessRead, AuditEventRow } from './tables.js';
import { readsByFhirId } from './access-log.js';
import { numberedSource, type MirrorSources } from '../vocabulary/record-sources.js';

const auditEventId = (seq: number) => fhirIdOf('audit', seq);

/** The actor an app's reads are recorded as. */
const appActor = (clientId: string) => `smart:${clientId}`;

/** The FHIR resource each of our entity types is mirrored as, and how its id is formed. */
const MIRRORED_ENTITY: Record<string, (id: string) => string> = {
  Referral: (id) => `ServiceRequest/${fhirIdOf('referral', id)}`,
  ReferralTask: (id) => `Task/${fhirIdOf('task', id)}`,
  ConsentGrant: (id) => `Consent/${fhirIdOf('consent', id)}`,
};

/** What an AuditEvent says: who did what, when, with what outcome, to which record, with which detail. */
interface AuditedAction {
  action: string;
  recordedAt: string;
  succeeded: boolean;
  actor: string;
  entity: { type: string; id: string };
  detail: Record<string, unknown>;
}

export function toFhirAuditEvent(row: AuditEventRow, baseUrl: string): AuditEvent {
  return auditEventResource(auditEventId(row.seq), baseUrl, {
    action: row.action,
    recordedAt: row.recorded_at.toISOString(),
    succeeded: row.outcome === 'success',
    actor: row.actor,
    entity: { type: row.entity_type, id: row.entity_id },
    detail: row.detail,
  });
}

/** A read of the access log as its AuditEvent: the app, the patient whose records it read, the type and the decision. */
function accessReadAsAuditEvent(id: string, read: AccessRead, baseUrl: string): AuditEvent {
  const { at, ...detail } = read;
  return auditEventResource(id, baseUrl, {
    action: `fhir.${read.interaction}`,
    recordedAt: at,
    succeeded: read.decision === 'permit',
    actor: appActor(read.clientId),
    entity: { type: 'PatientData', id: read.patient },
    detail,
  });
}

function auditEventResource(id: string, baseUrl: string, audited: AuditedAction): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: `${baseUrl}/audit-actions`, code: audited.action }],
    recorded: audited.recordedAt,
    outcome: audited.succeeded ? '0' : '4',
    agent: [{ who: { identifier: { system: `${baseUrl}/users`, value: audited.actor } }, requestor: true }],
    source: { site: baseUrl, observer: { display: 'Referral Hub' } },
    entity: [entityOf(audited, baseUrl)],
  };
}

function entityOf({ entity, detail }: AuditedAction, baseUrl: string): AuditEventEntity {
  const mirrored = MIRRORED_ENTITY[entity.type];
  const what: Reference = mirrored ? { reference: mirrored(entity.id) } : { identifier: { system: `${baseUrl}/${entity.type}`, value: entity.id } };
  return { what, ...(Object.keys(detail).length > 0 && { detail: [{ type: 'detail', valueString: JSON.stringify(detail) }] }) };
}

/** Audit events and the access log's reads, both mirrored as AuditEvents. */
export function auditMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  const auditEvents = numberedSource(
    'audit',
    (seqs) => db.selectFrom('audit_event').selectAll().where('seq', 'in', seqs).execute(),
    (row) => toFhirAuditEvent(row, baseUrl),
  );
  const accessReads = async (ids: string[]) =>
    new Map([...(await readsByFhirId(db, ids))].map(([id, read]) => [id, accessReadAsAuditEvent(id, read, baseUrl) as Resource]));
  return {
    AuditEvent: async (ids) => new Map([...(await auditEvents(ids)), ...(await accessReads(ids))]),
  };
}

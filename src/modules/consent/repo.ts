// Consent grants in the database; every function takes the executor so callers can share a transaction.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { ConsentGrantRow } from './tables.js';
import type { ConsentGrantView } from './schemas.js';

type Db = Kysely<Database>;

export interface NewGrant {
  patientId: string;
  clientId: string;
  resourceType: string;
  periodStart: string | null;
  periodEnd: string | null;
  source: 'portal' | 'smart' | 'api';
  grantedBy: string;
  grantedAs: 'patient' | 'administrator';
  createdAt: Date;
}

export async function insertGrant(db: Db, grant: NewGrant): Promise<ConsentGrantRow> {
  return db
    .insertInto('consent_grant')
    .values({
      patient_id: grant.patientId,
      client_id: grant.clientId,
      resource_type: grant.resourceType,
      period_start: grant.periodStart,
      period_end: grant.periodEnd,
      source: grant.source,
      status: 'active',
      granted_by: grant.grantedBy,
      granted_as: grant.grantedAs,
      created_at: grant.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findGrant(db: Db, id: number, options: { forUpdate?: boolean } = {}) {
  const query = db.selectFrom('consent_grant').selectAll().where('id', '=', id);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export function listGrants(db: Db, filter: { patientId: string; clientId?: string; status?: string }) {
  let query = db.selectFrom('consent_grant').selectAll().where('patient_id', '=', filter.patientId);
  if (filter.clientId) query = query.where('client_id', '=', filter.clientId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return query.orderBy('id').execute();
}

export async function markRevoked(db: Db, id: number, revokedBy: string, at: Date): Promise<ConsentGrantRow> {
  return db
    .updateTable('consent_grant')
    .set({ status: 'revoked', revoked_at: at, revoked_by: revokedBy })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A patient's active (not revoked) grants to an app, whatever their periods, newest first. */
export function findActiveGrants(db: Db, query: { patientId: string; clientId: string }): Promise<ConsentGrantRow[]> {
  return db
    .selectFrom('consent_grant')
    .selectAll()
    .where('patient_id', '=', query.patientId)
    .where('client_id', '=', query.clientId)
    .where('status', '=', 'active')
    .orderBy('id', 'desc')
    .execute();
}

/** The grants whose period covers `at` (a grant without a start or an end is open on that side). */
export function coveringAt(active: ConsentGrantRow[], at: Date): ConsentGrantRow[] {
  return active.filter((grant) => (!grant.period_start || grant.period_start <= at) && (!grant.period_end || grant.period_end > at));
}

export function toGrantView(row: ConsentGrantRow): ConsentGrantView {
  return {
    id: row.id,
    patientId: row.patient_id,
    clientId: row.client_id,
    resourceType: row.resource_type,
    period: { start: row.period_start?.toISOString() ?? null, end: row.period_end?.toISOString() ?? null },
    source: row.source as ConsentGrantView['source'],
    status: row.status as ConsentGrantView['status'],
    grantedBy: row.granted_as,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** The patients and apps whose consent changed in (`from`, `to`]: a grant made, revoked, starting or ending then. */
export async function changedBetween(db: Db, from: Date, to: Date): Promise<{ patientId: string; clientId: string }[]> {
  const { rows } = await sql<{ patient_id: string; client_id: string }>`
    SELECT patient_id, client_id FROM consent_grant WHERE created_at > ${from} AND created_at <= ${to}
    UNION SELECT patient_id, client_id FROM consent_grant WHERE revoked_at > ${from} AND revoked_at <= ${to}
    UNION SELECT patient_id, client_id FROM consent_grant WHERE period_start > ${from} AND period_start <= ${to}
    UNION SELECT patient_id, client_id FROM consent_grant WHERE period_end > ${from} AND period_end <= ${to}`.execute(db);
  return rows.map((row) => ({ patientId: row.patient_id, clientId: row.client_id }));
}

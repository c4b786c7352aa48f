// Row types of the database, as Kysely sees them; one interface per table in migrations/.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

interface ReferralTable {
  id: Generated<number>;
  version: Generated<number>;
  status: string;
  patient_id: string;
  requester_id: string;
  performer_id: string;
  receiving_facility_client_id: string;
  referral_code: string;
  referral_display: string | null;
  priority: string;
  priority_rank: ColumnType<number, never, never>;
  reason_codes: Json<string[]>;
  clinical_note: string | null;
  shared_resource_types: Json<string[]>;
  occurrence_date: string | null;
  sending_organisation_id: string;
  receiving_organisation_id: string;
  consent_verified: Generated<boolean>;
  authored_on: Timestamp | null;
  response_due_at: Timestamp | null;
  hold_reason: string | null;
  revocation_reason: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface ReferralTaskTable {
  id: Generated<number>;
  referral_id: number;
  version: Generated<number>;
  status: string;
  owner_id: string;
  requester_id: string;
  rejection_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface TaskNoteTable {
  id: Generated<number>;
  task_id: number;
  author: string;
  status: string;
  text: string;
  created_at: Timestamp;
}

interface ConsentGrantTable {
  id: Generated<number>;
  patient_id: string;
  client_id: string;
  resource_type: string;
  period_start: Timestamp | null;
  period_end: Timestamp | null;
  source: string;
  status: string;
  granted_by: string;
  granted_as: 'patient' | 'administrator';
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

interface AuditEventTable {
  seq: Generated<number>;
  chain: string;
  chain_seq: number;
  recorded_at: Timestamp;
  actor: string;
  action: string;
  outcome: string;
  entity_type: string;
  entity_id: string;
  referral_id: number | null;
  detail: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
  hash_scheme: number;
}

interface AuditChainTable {
  chain: string;
  last_seq: number;
  last_hash: string;
}

interface IdempotencyRecordTable {
  actor: string;
  operation: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: ColumnType<unknown, string | null, string | null> | null;
  created_at: Timestamp;
}

interface SchemaMigrationTable {
  name: string;
  applied_at: Timestamp;
}

interface SeedRunTable {
  name: string;
  applied_at: Timestamp;
}

interface FhirOutboxTable {
  resource_type: string;
  resource_id: string;
  change_seq: number;
  delivered_seq: Generated<number>;
  pending_since: Timestamp | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  delivered_at: Timestamp | null;
}

/** The append-only log of changes to mirrored resources, folded into fhir_outbox by the worker. */
interface FhirOutboxChangeTable {
  seq: Generated<number>;
  resource_type: string;
  resource_id: string;
  changed_at: Generated<Timestamp>;
}

interface FhirResourceTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Timestamp;
  deleted: Generated<boolean>;
  compartments: string[];
  statuses: string[];
  identifiers: string[];
  content: Json<Record<string, unknown>>;
}

interface FhirResourceHistoryTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Timestamp;
  deleted: boolean;
  content: Json<Record<string, unknown>>;
}

interface SmartClientTable {
  client_id: string;
  name: string;
  organization_id: string;
  redirect_uris: string[];
  public_client: boolean;
  requested_resource_types: string[];
  client_secret: ColumnType<string | null, string | null | undefined, string | null>;
  active: Generated<boolean>;
}

export type PatientAccountState = 'invited' | 'active' | 'disabled';

interface PatientAccountTable {
  username: string;
  patient_id: string;
  password_hash: string | null;
  state: ColumnType<PatientAccountState, PatientAccountState | undefined, PatientAccountState>;
}

interface AccountLinkTable {
  token_hash: string;
  username: string;
  purpose: 'enrol' | 'reset';
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface DirectoryIdentifier {
  system?: string;
  value: string;
}

interface OrganizationTable {
  id: string;
  name: string;
  active: Generated<boolean>;
  parent_id: string | null;
  identifiers: Json<DirectoryIdentifier[]>;
  updated_at: Timestamp;
}

interface PractitionerTable {
  id: string;
  name: string;
  active: Generated<boolean>;
  identifiers: Json<DirectoryIdentifier[]>;
  updated_at: Timestamp;
}

export type DirectoryRole = 'referrer' | 'receiver' | 'admin';

interface PractitionerRoleTable {
  id: string;
  practitioner_id: string;
  organization_id: string;
  role: DirectoryRole;
  active: Generated<boolean>;
  updated_at: Timestamp;
}

interface AdministratorTable {
  username: string;
  name: string;
  active: Generated<boolean>;
  created_at: Timestamp;
}

interface PortalSessionTable {
  id_hash: string;
  username: string;
  patient_id: string;
  expires_at: Timestamp;
}

interface OauthPayloadTable {
  model: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Timestamp | null;
}

interface SignInThrottleTable {
  key: string;
  failures: number;
  window_started: Timestamp;
  locked_until: Timestamp | null;
}

interface RateLimitWindowTable {
  key: string;
  window_start: number;
  hits: number;
}

export interface Database {
  referral: ReferralTable;
  referral_task: ReferralTaskTable;
  task_note: TaskNoteTable;
  consent_grant: ConsentGrantTable;
  audit_event: AuditEventTable;
  audit_chain: AuditChainTable;
  idempotency_record: IdempotencyRecordTable;
  schema_migration: SchemaMigrationTable;
  seed_run: SeedRunTable;
  fhir_outbox: FhirOutboxTable;
  fhir_outbox_change: FhirOutboxChangeTable;
  fhir_resource: FhirResourceTable;
  fhir_resource_history: FhirResourceHistoryTable;
  smart_client: SmartClientTable;
  patient_account: PatientAccountTable;
  portal_session: PortalSessionTable;
  oauth_payload: OauthPayloadTable;
  organization: OrganizationTable;
  practitioner: PractitionerTable;
  practitioner_role: PractitionerRoleTable;
  administrator: AdministratorTable;
  account_link: AccountLinkTable;
  sign_in_throttle: SignInThrottleTable;
  rate_limit_window: RateLimitWindowTable;
}

export type ReferralRow = Selectable<ReferralTable>;
export type NewReferralRow = Insertable<ReferralTable>;
export type TaskRow = Selectable<ReferralTaskTable>;
export type TaskNoteRow = Selectable<TaskNoteTable>;
export type ConsentGrantRow = Selectable<ConsentGrantTable>;
export type AuditEventRow = Selectable<AuditEventTable>;

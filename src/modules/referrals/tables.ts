// Tables this module owns, as Kysely sees them: referrals, their tasks and the tasks' notes (migrations/ creates them).
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Timestamp, Json } from '../../platform/tables.js';

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
  outcome: string | null;
  advice_request_id: number | null;
  /** The shared types its parties were last told the patient no longer consents to share with its receiving app. */
  consent_lost: ColumnType<string[], string | undefined, string>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** How far the consent watch has looked at changes of consent (one row). */
interface ConsentWatchTable {
  id: Generated<boolean>;
  checked_until: Timestamp;
}

interface ReferralTaskTable {
  id: Generated<number>;
  referral_id: number;
  version: Generated<number>;
  status: string;
  owner_id: string;
  requester_id: string;
  rejection_reason: string | null;
  rejection_code: string | null;
  outcome: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A move of a referral to another organisation, with the referral as the organisation it left last saw it. */
interface ReferralMoveTable {
  id: Generated<number>;
  referral_id: number;
  kind: 'REDIRECT' | 'FORWARD';
  from_performer_id: string;
  from_organisation_id: string;
  from_client_id: string;
  to_performer_id: string;
  to_organisation_id: string;
  to_client_id: string;
  reason: string;
  moved_by: string;
  moved_at: Timestamp;
  referral_before: Json<unknown>;
}

interface TaskNoteTable {
  id: Generated<number>;
  task_id: number;
  author: string;
  status: string;
  text: string;
  created_at: Timestamp;
}

/** A file on a referral or on an advice request (exactly one of the two). */
interface AttachmentTable {
  id: Generated<number>;
  referral_id: number | null;
  advice_request_id: number | null;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  description: string | null;
  uploaded_by: string;
  /** The FHIR user who attached it (or the account, for one without). */
  author: string;
  uploaded_at: Timestamp;
}

interface AttachmentContentTable {
  sha256: string;
  bytes: Uint8Array;
}

interface AdviceRequestTable {
  id: Generated<number>;
  version: Generated<number>;
  status: string;
  patient_id: string;
  requester_id: string;
  sending_organisation_id: string;
  performer_id: string;
  receiving_organisation_id: string;
  receiving_facility_client_id: string;
  subject: string;
  shared_resource_types: Json<string[]>;
  please_refer: Generated<boolean>;
  referral_id: number | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface AdviceMessageTable {
  id: Generated<number>;
  advice_request_id: number;
  author: string;
  side: 'requester' | 'specialist';
  text: string;
  please_refer: Generated<boolean>;
  created_at: Timestamp;
}

export interface ReferralTables {
  referral: ReferralTable;
  referral_task: ReferralTaskTable;
  task_note: TaskNoteTable;
  referral_move: ReferralMoveTable;
  attachment: AttachmentTable;
  attachment_content: AttachmentContentTable;
  advice_request: AdviceRequestTable;
  advice_message: AdviceMessageTable;
  consent_watch: ConsentWatchTable;
}

export type AdviceRequestRow = Selectable<AdviceRequestTable>;
export type AdviceMessageRow = Selectable<AdviceMessageTable>;

export type AttachmentRow = Selectable<AttachmentTable>;

export type ReferralRow = Selectable<ReferralTable>;

export type NewReferralRow = Insertable<ReferralTable>;

export type TaskRow = Selectable<ReferralTaskTable>;

export type ReferralMoveRow = Selectable<ReferralMoveTable>;

export type TaskNoteRow = Selectable<TaskNoteTable>;

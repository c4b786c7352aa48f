// Tables this module owns, as Kysely sees them (migrations/ creates them): who is who — organisations,
// practitioners and their roles, administrators, apps, patients' accounts and sign-in throttling.
import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, Json } from '../../platform/tables.js';
import type { DirectoryRole } from '../vocabulary/roles.js';

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
  /** How the patient is greeted; null for accounts invited without one. */
  name: string | null;
  password_hash: string | null;
  state: ColumnType<PatientAccountState, PatientAccountState | undefined, PatientAccountState>;
  /** Sign-ins before this no longer stand: the password was set, or the account disabled, then. */
  sign_ins_valid_from: Timestamp | null;
}

/** A one-time link: to a patient's account (username) or a practitioner's (practitioner_id), never both. */
interface AccountLinkTable {
  token_hash: string;
  username: string | null;
  practitioner_id: string | null;
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

/** A practitioner's password, for signing in to the clinician web app. */
interface PractitionerAccountTable {
  practitioner_id: string;
  /** Null while the practitioner is invited: they set it through their enrolment link. */
  password_hash: string | null;
}

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

interface SignInThrottleTable {
  key: string;
  failures: number;
  window_started: Timestamp;
  locked_until: Timestamp | null;
}

export interface DirectoryTables {
  organization: OrganizationTable;
  practitioner: PractitionerTable;
  practitioner_role: PractitionerRoleTable;
  practitioner_account: PractitionerAccountTable;
  administrator: AdministratorTable;
  smart_client: SmartClientTable;
  patient_account: PatientAccountTable;
  account_link: AccountLinkTable;
  sign_in_throttle: SignInThrottleTable;
}

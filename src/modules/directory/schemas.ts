// Request and response shapes of /api/admin: the directory's organisations, practitioners and their
// roles, facility apps and patient accounts; one source for validation, types and OpenAPI.
import Type, { type Static } from 'typebox';
import { Nullable } from '../../platform/http-schemas.js';
import { PatientId, ResourceType } from '../vocabulary/schemas.js';
import { DIRECTORY_ROLES } from '../vocabulary/roles.js';

/** A FHIR id: what the directory's records are named by, and what their references end in. */
const FhirId = Type.String({ pattern: '^[A-Za-z0-9\\-.]{1,64}$', description: 'A FHIR id' });
const OrganizationRef = Type.String({ pattern: '^Organization/[A-Za-z0-9\\-.]{1,64}$', description: 'An Organization reference' });
const Name = Type.String({ minLength: 1, maxLength: 200 });

const Identifier = Type.Object(
  { system: Type.Optional(Type.String({ minLength: 1, maxLength: 200, format: 'uri' })), value: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
const Identifiers = Type.Array(Identifier, { maxItems: 20 });

const DirectoryRoleName = Type.Enum(DIRECTORY_ROLES);

export const IdParams = Type.Object({ id: FhirId });

const organizationFields = {
  name: Name,
  active: Type.Optional(Type.Boolean()),
  partOf: Type.Optional(Nullable(OrganizationRef)),
  identifiers: Type.Optional(Identifiers),
};
export const CreateOrganizationBody = Type.Object({ id: FhirId, ...organizationFields }, { additionalProperties: false });
export const UpdateOrganizationBody = Type.Partial(Type.Object(organizationFields), { additionalProperties: false, minProperties: 1 });
export type OrganizationInput = Static<typeof CreateOrganizationBody>;
export type OrganizationPatch = Static<typeof UpdateOrganizationBody>;
export const Organization = Type.Object(
  { id: Type.String(), reference: Type.String(), name: Type.String(), active: Type.Boolean(), partOf: Nullable(Type.String()), identifiers: Identifiers },
  { title: 'Organization' },
);
export type OrganizationView = Static<typeof Organization>;

const practitionerFields = { name: Name, active: Type.Optional(Type.Boolean()), identifiers: Type.Optional(Identifiers) };
export const CreatePractitionerBody = Type.Object({ id: FhirId, ...practitionerFields }, { additionalProperties: false });
export const UpdatePractitionerBody = Type.Partial(Type.Object(practitionerFields), { additionalProperties: false, minProperties: 1 });
export type PractitionerInput = Static<typeof CreatePractitionerBody>;
export type PractitionerPatch = Static<typeof UpdatePractitionerBody>;

export const PractitionerRoleView = Type.Object(
  { id: Type.String(), practitioner: Type.String(), organization: Type.String(), role: DirectoryRoleName, active: Type.Boolean() },
  { title: 'PractitionerRoleView' },
);
export type RoleView = Static<typeof PractitionerRoleView>;
export const Practitioner = Type.Object(
  {
    id: Type.String(),
    reference: Type.String(),
    name: Type.String(),
    active: Type.Boolean(),
    identifiers: Identifiers,
    roles: Type.Array(PractitionerRoleView),
  },
  { title: 'Practitioner' },
);
export type PractitionerView = Static<typeof Practitioner>;

export const AddRoleBody = Type.Object({ organization: OrganizationRef, role: DirectoryRoleName }, { additionalProperties: false });
export type AddRoleInput = Static<typeof AddRoleBody>;
export const UpdateRoleBody = Type.Object({ active: Type.Boolean() }, { additionalProperties: false });

const RedirectUris = Type.Array(Type.String({ format: 'uri', maxLength: 500 }), { minItems: 1, maxItems: 10, uniqueItems: true });
const appFields = {
  name: Name,
  redirectUris: RedirectUris,
  resourceTypes: Type.Array(ResourceType, { maxItems: 50, uniqueItems: true, description: 'The resource types the app asks patients to share' }),
  active: Type.Optional(Type.Boolean()),
};
export const RegisterAppBody = Type.Object(
  {
    clientId: FhirId,
    organization: OrganizationRef,
    confidential: Type.Optional(Type.Boolean({ description: 'Gets a client secret, shown once' })),
    ...appFields,
  },
  { additionalProperties: false },
);
export const UpdateAppBody = Type.Partial(Type.Object(appFields), { additionalProperties: false, minProperties: 1 });
export type AppInput = Static<typeof RegisterAppBody>;
export type AppPatch = Static<typeof UpdateAppBody>;
export const FacilityApp = Type.Object(
  {
    clientId: Type.String(),
    name: Type.String(),
    organization: Type.String(),
    redirectUris: Type.Array(Type.String()),
    resourceTypes: Type.Array(Type.String()),
    confidential: Type.Boolean(),
    active: Type.Boolean(),
    clientSecret: Type.Optional(Type.String({ description: 'Only in the answer that created or rotated it' })),
  },
  { title: 'FacilityApp' },
);
export type FacilityAppView = Static<typeof FacilityApp>;
export const AppParams = Type.Object({ clientId: FhirId });

const Username = Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9._@\\-]+$' });
const PATIENT_ACCOUNT_STATES = ['invited', 'active', 'disabled'] as const;
export const CreatePatientAccountBody = Type.Object(
  { username: Username, patientId: PatientId, name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'How the patient is greeted' })) },
  { additionalProperties: false },
);
export const UpdatePatientAccountBody = Type.Object({ state: Type.Union([Type.Literal('active'), Type.Literal('disabled')]) }, { additionalProperties: false });
export const PatientAccount = Type.Object(
  {
    username: Type.String(),
    patientId: Type.String(),
    name: Nullable(Type.String()),
    state: Type.Enum(PATIENT_ACCOUNT_STATES),
    link: Type.Optional(
      Type.Object(
        { url: Type.String(), purpose: Type.String(), expiresAt: Type.String() },
        { description: 'A one-time link for the patient; only in the answer that made it' },
      ),
    ),
  },
  { title: 'PatientAccount' },
);
export type PatientAccountView = Static<typeof PatientAccount>;

export const PractitionerAccount = Type.Object(
  {
    practitioner: Type.String(),
    username: { ...Type.String(), description: 'What they sign in to the clinician app with: their directory id' },
    state: Type.Enum(['invited', 'active']),
    link: Type.Object(
      { url: Type.String(), purpose: Type.String(), expiresAt: Type.String() },
      { description: 'A one-time link for the practitioner to set their password; only in this answer' },
    ),
  },
  { title: 'PractitionerAccount' },
);
export type PractitionerAccountView = Static<typeof PractitionerAccount>;
export const UsernameParams = Type.Object({ username: Username });

export const ImportResult = Type.Object({
  resourceType: Type.Literal('Bundle'),
  type: Type.String(),
  entry: Type.Array(
    Type.Object({ response: Type.Object({ status: Type.String(), location: Type.Optional(Type.String()), outcome: Type.Optional(Type.Unknown()) }) }),
  ),
});

const NetworkApp = Type.Object({ clientId: Type.String(), name: Type.String(), resourceTypes: Type.Array(Type.String()) }, { title: 'NetworkApp' });
export const Network = Type.Object(
  {
    organizations: Type.Array(
      Type.Object(
        { reference: Type.String(), name: Type.String(), partOf: Nullable(Type.String()), apps: Type.Array(NetworkApp) },
        { title: 'NetworkOrganization' },
      ),
    ),
    practitioners: Type.Array(Type.Object({ reference: Type.String(), name: Type.String() }, { title: 'NetworkPractitioner' })),
    /** The caller's own roles, so a referral is drafted from one of their organisations. */
    memberships: Type.Array(Type.Object({ organization: Type.String(), role: DirectoryRoleName }, { title: 'Membership' })),
  },
  { title: 'Network' },
);
export type Network = Static<typeof Network>;

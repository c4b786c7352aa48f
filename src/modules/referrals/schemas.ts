// Request and response shapes of /api/referrals, as in the workflow guide; one source for
// validation, TypeScript types and the OpenAPI document.
import Type, { type Static } from 'typebox';
import { ClientId, PatientId, ResourceType } from '../vocabulary/schemas.js';
import { Nullable, RowId } from '../../platform/http-schemas.js';
import { PRIORITIES } from '../vocabulary/priority.js';
import { REFERRAL_STATUSES } from './states.js';
import { FACILITY_TASK_STATUSES, TASK_STATUSES } from './task-states.js';
import { REFERRAL_ACTIONS } from './actions.js';
import { REFERRAL_OUTCOMES, REJECTION_CODES, TASK_OUTCOMES } from './outcomes.js';

const reference = (...types: string[]) =>
  Type.String({ pattern: `^(${types.join('|')})/[A-Za-z0-9\\-.]{1,64}$`, description: `A ${types.join(' or ')} reference` });
const OrganizationRef = reference('Organization');

const Priority = Type.Enum(PRIORITIES);
const ReferralStatus = Type.Enum(REFERRAL_STATUSES);
const TaskStatus = Type.Enum(TASK_STATUSES);

export const referralFields = {
  patientId: reference('Patient'),
  requesterId: Type.Optional({
    ...reference('Practitioner'),
    description: 'The calling practitioner (the default); a referral is never drafted in another name',
  }),
  performerId: { ...OrganizationRef, description: 'The organisation (or department) asked to perform the referral' },
  receivingFacilityClientId: Type.Optional({
    ...ClientId,
    description: "The receiving organisation's facility app the patient consents to; its only app when omitted",
  }),
  referralCode: Type.String({ pattern: '^[0-9]{6,18}$', description: 'SNOMED CT concept id' }),
  referralDisplay: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  priority: Priority,
  reasonCodes: Type.Optional(
    Type.Array(Type.String({ pattern: '^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$', description: 'ICD-10 code' }), { maxItems: 20, uniqueItems: true }),
  ),
  clinicalNote: Type.Optional(Type.String({ maxLength: 10_000 })),
  sharedResourceTypes: Type.Array(ResourceType, { minItems: 1, maxItems: 50, uniqueItems: true }),
  occurrenceDate: Type.Optional(Type.String({ format: 'date' })),
  sendingOrganisationId: OrganizationRef,
  receivingOrganisationId: OrganizationRef,
};

export const CreateReferralBody = Type.Object(referralFields, { additionalProperties: false });
export type CreateReferralInput = Static<typeof CreateReferralBody>;

export const EditReferralBody = Type.Partial(Type.Object(referralFields), { additionalProperties: false, minProperties: 1 });
export type EditReferralInput = Static<typeof EditReferralBody>;

export const Referral = Type.Object(
  {
    id: Type.Integer(),
    status: ReferralStatus,
    version: Type.Integer(),
    consentVerified: Type.Boolean(),
    patientId: Type.String(),
    requesterId: Type.String(),
    performerId: Type.String(),
    receivingFacilityClientId: Type.String(),
    referralCode: Type.String(),
    referralDisplay: Nullable(Type.String()),
    priority: Priority,
    fhirPriority: Type.String(),
    reasonCodes: Type.Array(Type.String()),
    clinicalNote: Nullable(Type.String()),
    sharedResourceTypes: Type.Array(Type.String()),
    occurrenceDate: Nullable(Type.String()),
    sendingOrganisationId: Type.String(),
    receivingOrganisationId: Type.String(),
    authoredOn: Nullable(Type.String()),
    responseDueAt: Nullable(Type.String()),
    overdue: Type.Boolean(),
    holdReason: Nullable(Type.String()),
    revocationReason: Nullable(Type.String()),
    adviceRequestId: { ...Nullable(Type.Integer()), description: 'The advice request this referral was converted from; its conversation stays readable' },
    outcome: {
      ...Nullable(Type.Enum(REFERRAL_OUTCOMES)),
      description: 'RETURNED_WITH_ADVICE when the receiver answered with advice instead of seeing the patient',
    },
    currentTask: { ...Nullable(Type.Object({ id: Type.Integer(), status: TaskStatus })), description: 'The newest task: the one the next answer comes on' },
    actions: { ...Type.Array(Type.Enum(REFERRAL_ACTIONS)), description: 'What the caller may do to this referral now' },
    movedAway: Type.Optional({
      ...Type.Object({ kind: Type.Enum(['REDIRECT', 'FORWARD']), at: Type.String() }),
      description: 'Shown to an organisation the referral moved away from: the referral as it last saw it, and when it left',
    }),
    consentWarnings: Type.Optional(Nullable(Type.Array(Type.String()))),
    createdBy: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Referral' },
);
export type ReferralView = Static<typeof Referral>;

export const ReferralPage = Type.Object({ items: Type.Array(Referral), nextCursor: Nullable(Type.String()) }, { title: 'ReferralPage' });

export const paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export const ListReferralsQuery = Type.Object(
  {
    status: Type.Optional(ReferralStatus),
    patientId: Type.Optional(PatientId),
    priority: Type.Optional(Priority),
    side: Type.Optional(Type.Union([Type.Literal('referring'), Type.Literal('receiving')])),
    ...paging,
  },
  { additionalProperties: false },
);
export type ListReferralsFilter = Static<typeof ListReferralsQuery>;

export const InboxQuery = Type.Object(
  {
    performerId: OrganizationRef,
    status: Type.Optional(Type.Union([Type.Literal('ACTIVE'), Type.Literal('ON_HOLD')])),
    patientId: Type.Optional(PatientId),
    priority: Type.Optional(Priority),
    ...paging,
  },
  { additionalProperties: false },
);
export type InboxFilter = Static<typeof InboxQuery>;

export const Attachment = Type.Object(
  {
    id: Type.Integer(),
    referralId: { ...Nullable(Type.Integer()), description: 'The referral it is attached to, or null' },
    adviceRequestId: { ...Nullable(Type.Integer()), description: 'The advice request it is attached to, or null' },
    fileName: Type.String(),
    contentType: Type.String(),
    sizeBytes: Type.Integer(),
    sha256: { ...Type.String(), description: 'SHA-256 of the content, hex' },
    description: Nullable(Type.String()),
    author: Type.String(),
    uploadedAt: Type.String(),
  },
  { title: 'Attachment' },
);
export type AttachmentView = Static<typeof Attachment>;

export const AttachmentIdParams = Type.Object({ id: RowId, attachmentId: RowId });

export const ReferralIdParams = Type.Object({ id: RowId });
export const TaskIdParams = Type.Object({ id: RowId, taskId: RowId });

const Reason = Type.String({ minLength: 1, maxLength: 1000 });
export const ReasonQuery = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });
export const ReasonBody = Type.Union([Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }), Type.Null()]);

/** Where a redirect or forward moves a referral, bound to the directory as at create, and why. */
export const MoveReferralBody = Type.Object(
  {
    performerId: referralFields.performerId,
    receivingOrganisationId: referralFields.receivingOrganisationId,
    receivingFacilityClientId: referralFields.receivingFacilityClientId,
    reason: Reason,
  },
  { additionalProperties: false },
);
export type MoveReferralInput = Static<typeof MoveReferralBody>;

export const AdviceBody = Type.Object(
  { advice: Type.String({ minLength: 1, maxLength: 10_000, description: "The specialist's advice to the referrer, kept as the task's last note" }) },
  { additionalProperties: false },
);

export const UpdateTaskBody = Type.Object(
  {
    status: Type.Optional(Type.Enum(FACILITY_TASK_STATUSES)),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    rejectionReason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    rejectionCode: Type.Optional({ ...Type.Enum(REJECTION_CODES), description: 'Why the referral is rejected (OTHER when omitted); the reason text explains' }),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTaskInput = Static<typeof UpdateTaskBody>;

const TaskNote = Type.Object(
  {
    id: Type.Integer(),
    author: Type.String(),
    status: TaskStatus,
    text: Type.String(),
    createdAt: Type.String(),
  },
  { title: 'TaskNote' },
);

export const Task = Type.Object(
  {
    id: Type.Integer(),
    referralId: Type.Integer(),
    status: TaskStatus,
    fhirStatus: Type.String(),
    version: Type.Integer(),
    ownerId: Type.String(),
    requesterId: Type.String(),
    rejectionReason: Nullable(Type.String()),
    rejectionCode: Nullable(Type.Enum(REJECTION_CODES)),
    outcome: { ...Nullable(Type.Enum(TASK_OUTCOMES)), description: 'How the task ended where its status alone does not say' },
    notes: Type.Array(TaskNote),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Task' },
);
export type TaskView = Static<typeof Task>;

export const AuditEntry = Type.Object(
  {
    seq: Type.Integer(),
    recordedAt: Type.String(),
    actor: Type.String(),
    action: Type.String(),
    outcome: Type.String(),
    entityType: Type.String(),
    entityId: Type.String(),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'AuditEntry' },
);

const CodeDisplay = Type.Object({ code: Type.String(), display: Type.String() }, { title: 'CodeDisplay' });
export const ReferralChoices = Type.Object(
  {
    kinds: Type.Array(CodeDisplay),
    reasons: Type.Array(CodeDisplay),
    rejectionReasons: { ...Type.Array(CodeDisplay), description: 'The coded reasons a receiver rejects with, by name' },
    priorities: Type.Array(
      Type.Object({ priority: Priority, responseHours: Type.Number({ description: 'How soon an answer is due once sent' }) }, { title: 'PriorityChoice' }),
    ),
  },
  { title: 'ReferralChoices' },
);
export type ReferralChoicesView = Static<typeof ReferralChoices>;

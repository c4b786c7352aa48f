// Request and response shapes of /api/advice-requests: a question to a specialist organisation, its
// conversation, and its conversion into a referral.
import Type, { type Static } from 'typebox';
import { Nullable } from '../../platform/http-schemas.js';
import { ResourceType } from '../vocabulary/schemas.js';
import { ADVICE_ACTIONS, ADVICE_STATUSES } from './advice-states.js';
import { paging, referralFields } from './schemas.js';

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 10_000, description });

export const CreateAdviceRequestBody = Type.Object(
  {
    patientId: referralFields.patientId,
    sendingOrganisationId: referralFields.sendingOrganisationId,
    performerId: { ...referralFields.performerId, description: 'The specialist organisation (or department) asked' },
    receivingOrganisationId: referralFields.receivingOrganisationId,
    receivingFacilityClientId: referralFields.receivingFacilityClientId,
    subject: Type.String({ minLength: 1, maxLength: 200, description: 'What the question is about, in a line' }),
    question: Text('The question, the first message of the conversation'),
    sharedResourceTypes: Type.Optional({
      ...Type.Array(ResourceType, { maxItems: 50, uniqueItems: true }),
      description: "Patient data the specialist's app may read to answer; consent-gated like a referral",
    }),
  },
  { additionalProperties: false },
);
export type CreateAdviceRequestInput = Static<typeof CreateAdviceRequestBody>;

export const AdviceMessageBody = Type.Object(
  {
    text: Text('The message'),
    pleaseRefer: Type.Optional({ ...Type.Boolean(), description: 'The specialist answers: please refer the patient' }),
  },
  { additionalProperties: false },
);
export type AdviceMessageInput = Static<typeof AdviceMessageBody>;

export const ConvertAdviceBody = Type.Object(
  {
    referralCode: referralFields.referralCode,
    referralDisplay: referralFields.referralDisplay,
    priority: referralFields.priority,
    reasonCodes: referralFields.reasonCodes,
    clinicalNote: referralFields.clinicalNote,
    sharedResourceTypes: Type.Optional({ ...referralFields.sharedResourceTypes, description: "The advice request's when omitted" }),
  },
  { additionalProperties: false },
);
export type ConvertAdviceInput = Static<typeof ConvertAdviceBody>;

const AdviceMessage = Type.Object(
  {
    id: Type.Integer(),
    author: Type.String(),
    side: Type.Enum(['requester', 'specialist']),
    text: Type.String(),
    pleaseRefer: Type.Boolean(),
    createdAt: Type.String(),
  },
  { title: 'AdviceMessage' },
);

export const AdviceRequest = Type.Object(
  {
    id: Type.Integer(),
    status: Type.Enum(ADVICE_STATUSES),
    version: Type.Integer(),
    patientId: Type.String(),
    requesterId: Type.String(),
    sendingOrganisationId: Type.String(),
    performerId: Type.String(),
    receivingOrganisationId: Type.String(),
    receivingFacilityClientId: Type.String(),
    subject: Type.String(),
    sharedResourceTypes: Type.Array(Type.String()),
    pleaseRefer: { ...Type.Boolean(), description: 'The specialist has answered: please refer' },
    referralId: { ...Nullable(Type.Integer()), description: 'The referral it was converted into' },
    messages: Type.Array(AdviceMessage),
    actions: { ...Type.Array(Type.Enum(ADVICE_ACTIONS)), description: 'What the caller may do now' },
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'AdviceRequest' },
);
export type AdviceRequestView = Static<typeof AdviceRequest>;

export const AdviceRequestPage = Type.Object({ items: Type.Array(AdviceRequest), nextCursor: Nullable(Type.String()) }, { title: 'AdviceRequestPage' });

export const ListAdviceQuery = Type.Object(
  {
    side: Type.Optional(Type.Enum(['requester', 'specialist'])),
    status: Type.Optional(Type.Enum(ADVICE_STATUSES)),
    ...paging,
  },
  { additionalProperties: false },
);
export type ListAdviceFilter = Static<typeof ListAdviceQuery>;

// Request and response shapes of /api/consent, declared once for validation, types and OpenAPI.
import Type, { type Static } from 'typebox';
import { Nullable, RowId } from '../../platform/http-schemas.js';
import { ClientId, PatientId, ResourceType } from '../vocabulary/schemas.js';

const Period = Type.Object(
  {
    start: Type.Optional(Type.String({ format: 'date-time' })),
    end: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const GrantConsentBody = Type.Object(
  {
    patientId: PatientId,
    clientId: ClientId,
    resourceTypes: Type.Array(ResourceType, { minItems: 1, maxItems: 50, uniqueItems: true }),
    period: Type.Optional(Period),
  },
  { additionalProperties: false },
);
export type GrantConsentInput = Static<typeof GrantConsentBody>;

export const ConsentGrant = Type.Object(
  {
    id: Type.Integer(),
    patientId: Type.String(),
    clientId: Type.String(),
    resourceType: Type.String(),
    period: Type.Object({ start: Nullable(Type.String()), end: Nullable(Type.String()) }),
    source: Type.Union([Type.Literal('portal'), Type.Literal('smart'), Type.Literal('api')]),
    status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
    grantedBy: Type.Union([Type.Literal('patient'), Type.Literal('administrator')], {
      description: 'Who gave the grant: the patient, or an administrator for them (never a login name)',
    }),
    createdAt: Type.String(),
    revokedAt: Nullable(Type.String()),
  },
  { title: 'ConsentGrant' },
);
export type ConsentGrantView = Static<typeof ConsentGrant>;

export const GrantList = Type.Object({ grants: Type.Array(ConsentGrant) }, { title: 'GrantList' });

export const ListConsentQuery = Type.Object(
  { patientId: PatientId, clientId: Type.Optional(ClientId), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('revoked')])) },
  { additionalProperties: false },
);

export const GrantIdParams = Type.Object({ id: RowId });

export const EvaluateBody = Type.Object(
  {
    patientId: PatientId,
    clientId: ClientId,
    resourceType: Type.Optional(ResourceType),
    resourceTypes: Type.Optional(Type.Array(ResourceType, { minItems: 1, maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type EvaluateInput = Static<typeof EvaluateBody>;

const Decision = Type.Union([Type.Literal('permit'), Type.Literal('deny')]);

const TypeDecision = Type.Object(
  {
    resourceType: Type.String(),
    decision: Decision,
    /** The grant that permitted it; null when denied. */
    grant: Nullable(ConsentGrant),
    reason: Type.String(),
  },
  { title: 'TypeDecision' },
);
export type ResourceTypeDecision = Static<typeof TypeDecision>;

export const EvaluateResponse = Type.Object(
  {
    decision: Decision,
    patientId: Type.String(),
    clientId: Type.String(),
    decisions: Type.Array(TypeDecision),
  },
  { title: 'EvaluateResponse' },
);
export type EvaluateResult = Static<typeof EvaluateResponse>;

export const ConsentChangesQuery = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'The window starts after this instant' }),
    to: Type.String({ format: 'date-time', description: 'The window ends at this instant, included' }),
  },
  { additionalProperties: false },
);

export const ConsentChangeList = Type.Object(
  { changes: Type.Array(Type.Object({ patientId: Type.String(), clientId: Type.String() }, { title: 'ConsentChange' })) },
  { title: 'ConsentChangeList' },
);

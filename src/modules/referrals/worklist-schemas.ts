// Shapes of /api/worklists: each list with its count, and a page of one list's referrals or advice requests.
import Type from 'typebox';
import { Nullable } from '../../platform/http-schemas.js';
import { AdviceRequest } from './advice-schemas.js';
import { paging, Referral } from './schemas.js';
import { WORKLIST_NAMES } from './worklists.js';

export const WorklistSummary = Type.Object(
  {
    lists: Type.Array(
      Type.Object({
        name: Type.Enum(WORKLIST_NAMES),
        side: Type.Enum(['referring', 'receiving']),
        title: Type.String(),
        kind: { ...Type.Enum(['referrals', 'advice-requests']), description: 'What the list holds' },
        count: Type.Integer(),
        atLeast: { ...Type.Boolean(), description: 'True when the list holds more than `count`: counting stops at 1,000' },
      }),
    ),
  },
  { title: 'WorklistSummary' },
);

export const WorklistParams = Type.Object({ name: Type.Enum(WORKLIST_NAMES) });
export const WorklistQuery = Type.Object(paging, { additionalProperties: false });
export const WorklistPage = Type.Object(
  {
    name: Type.String(),
    kind: { ...Type.Enum(['referrals', 'advice-requests']), description: 'Referrals, soonest due first; or advice requests, longest waiting first' },
    items: Type.Array(Type.Union([Referral, AdviceRequest])),
    nextCursor: Nullable(Type.String()),
  },
  { title: 'WorklistPage' },
);

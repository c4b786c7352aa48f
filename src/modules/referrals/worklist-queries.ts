// Reading worklists: each list of the caller's sides with its count, and one list's items — referrals
// soonest due first, advice requests longest waiting first — paged.
import { decodeCursor, pageOf } from '../../platform/cursor.js';
import { forbidden } from '../../platform/errors.js';
import { organizationsWhere, requireRole, type Caller } from '../identity/caller.js';
import type { Side } from './access.js';
import { toAdviceView } from './advice.js';
import { countConversations, listConversations } from './advice-repo.js';
import type { AdviceSide } from './advice-states.js';
import type { ReferralDeps } from './deps.js';
import { DEFAULT_LIMIT, isDueDate, isIdPosition } from './queries.js';
import { toReferralView } from './views.js';
import { COUNT_CAP, countWorklists, worklistItems, type WorklistPosition } from './worklist-repo.js';
import { WORKLISTS, type AdviceWorklist, type ReferralWorklist } from './worklists.js';

const isWorklistPosition = (value: unknown): value is WorklistPosition => {
  const due = (value as { due?: unknown } | null)?.due;
  return isIdPosition(value) && (due === null || isDueDate(due));
};

/** Every clinician refers; only one who receives for an organisation works the receiving side. */
const worksSide = (caller: Caller, side: Side) => side === 'referring' || organizationsWhere(caller, 'receiver').length > 0;

const ADVICE_SIDE: Record<Side, AdviceSide> = { referring: 'requester', receiving: 'specialist' };

export function createWorklistUseCases({ db, clock }: ReferralDeps) {
  async function worklists(caller: Caller) {
    requireRole(caller, 'clinician');
    const lists = WORKLISTS.filter((list) => worksSide(caller, list.side));
    const referralLists = lists.filter((list): list is ReferralWorklist => list.kind === 'referrals');
    const adviceLists = lists.filter((list): list is AdviceWorklist => list.kind === 'advice-requests');
    const [referralCounts, adviceCounts] = await Promise.all([
      countWorklists(db, caller, referralLists, clock.now()),
      Promise.all(adviceLists.map((list) => countConversations(db, caller, ADVICE_SIDE[list.side], list.statuses))),
    ]);
    const counted = new Map([...referralLists, ...adviceLists].map((list, index) => [list.name, [...referralCounts, ...adviceCounts][index]!]));
    return {
      lists: lists.map(({ name, side, title, kind }) => {
        const count = counted.get(name)!;
        return { name, side, title, kind, count: Math.min(count, COUNT_CAP), atLeast: count > COUNT_CAP };
      }),
    };
  }

  async function worklist(caller: Caller, name: string, query: { limit?: number; cursor?: string }) {
    requireRole(caller, 'clinician');
    const list = WORKLISTS.find((candidate) => candidate.name === name)!;
    if (!worksSide(caller, list.side)) throw forbidden(`The ${name} worklist is for the ${list.side} side, and you receive referrals for no organisation`);
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (list.kind === 'advice-requests') {
      const afterId = query.cursor ? decodeCursor(query.cursor, isIdPosition).id : undefined;
      const rows = await listConversations(db, caller, { side: ADVICE_SIDE[list.side], statuses: list.statuses, afterId, limit, oldestFirst: true });
      const page = pageOf(
        rows,
        limit,
        (conversation) => toAdviceView(caller, conversation),
        (conversation) => ({ id: conversation.request.id }),
      );
      return { name, kind: list.kind, ...page };
    }
    const after = query.cursor ? decodeCursor(query.cursor, isWorklistPosition) : undefined;
    const rows = await worklistItems(db, caller, list, { after, limit, now: clock.now() });
    const page = pageOf(
      rows,
      limit,
      (row) => toReferralView(row, clock.now(), { caller, task: row.current_task ?? undefined }),
      (row) => ({ due: row.response_due_at?.toISOString() ?? null, id: row.id }),
    );
    return { name, kind: list.kind, ...page };
  }

  return { worklists, worklist };
}

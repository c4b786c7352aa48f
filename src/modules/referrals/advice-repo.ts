// Advice requests and their messages in the database. Every change runs in a transaction that holds
// the request's row, so messages and moves of one conversation queue rather than cross.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { AdviceMessageRow, AdviceRequestRow, AttachmentRow } from './tables.js';
import type { AdviceSide, AdviceStatus } from './advice-states.js';
import type { Insertable } from 'kysely';

type Db = Kysely<Database>;

export interface AdviceConversation {
  request: AdviceRequestRow;
  messages: AdviceMessageRow[];
}

export async function findConversation(db: Db, id: number, options: { lock?: boolean } = {}): Promise<AdviceConversation | undefined> {
  let query = db.selectFrom('advice_request').selectAll().where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  const request = await query.executeTakeFirst();
  if (!request) return undefined;
  const messages = await db.selectFrom('advice_message').selectAll().where('advice_request_id', '=', id).orderBy('id').execute();
  return { request, messages };
}

export async function insertAdviceRequest(tx: Db, row: Insertable<Database['advice_request']>): Promise<AdviceRequestRow> {
  return tx.insertInto('advice_request').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertAdviceMessage(tx: Db, message: Insertable<Database['advice_message']>): Promise<AdviceMessageRow> {
  return tx.insertInto('advice_message').values(message).returningAll().executeTakeFirstOrThrow();
}

export async function updateAdviceRequest(
  tx: Db,
  id: number,
  patch: { status: AdviceStatus; please_refer?: boolean; referral_id?: number },
  at: Date,
): Promise<AdviceRequestRow> {
  return tx
    .updateTable('advice_request')
    .set({ ...patch, version: sql`version + 1`, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

interface ConversationFilter {
  side?: AdviceSide;
  statuses?: readonly AdviceStatus[];
  /** The last id of the previous page. */
  afterId?: number;
  limit: number;
  /** Longest waiting first (a worklist), rather than newest first. */
  oldestFirst?: boolean;
}

/** The advice requests the caller is on `side` of (either, when absent), in `statuses` when given. */
function conversationsOf(db: Db, caller: Caller, side?: AdviceSide, statuses?: readonly AdviceStatus[]) {
  const asking = organizationsWhere(caller, 'referrer');
  const answering = organizationsWhere(caller, 'receiver');
  let query = db.selectFrom('advice_request').where((eb) => {
    const requester = [eb('requester_id', '=', caller.fhirUser ?? ''), ...(asking.length ? [eb('sending_organisation_id', 'in', asking)] : [])];
    const specialist = answering.length ? [eb('performer_id', 'in', answering), eb('receiving_organisation_id', 'in', answering)] : [];
    const ways = side === 'requester' ? requester : side === 'specialist' ? specialist : [...requester, ...specialist];
    return ways.length ? eb.or(ways) : eb.lit(false);
  });
  if (statuses) query = query.where('status', 'in', statuses);
  return query;
}

/** The caller's advice requests, newest (or oldest) first, after `afterId`, each with its messages. */
export async function listConversations(db: Db, caller: Caller, filter: ConversationFilter): Promise<AdviceConversation[]> {
  let query = conversationsOf(db, caller, filter.side, filter.statuses).selectAll();
  if (filter.afterId !== undefined) query = query.where('id', filter.oldestFirst ? '>' : '<', filter.afterId);
  const requests = await query
    .orderBy('id', filter.oldestFirst ? 'asc' : 'desc')
    .limit(filter.limit + 1)
    .execute();
  if (requests.length === 0) return [];
  const ids = requests.map((request) => request.id);
  const messages = await db.selectFrom('advice_message').selectAll().where('advice_request_id', 'in', ids).orderBy('id').execute();
  return requests.map((request) => ({ request, messages: messages.filter((message) => message.advice_request_id === request.id) }));
}

/** How many of the caller's advice requests on `side` are in `statuses`. */
export async function countConversations(db: Db, caller: Caller, side: AdviceSide, statuses: readonly AdviceStatus[]): Promise<number> {
  const row = await conversationsOf(db, caller, side, statuses)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertAdviceAttachment(tx: Db, attachment: Insertable<Database['attachment']> & { advice_request_id: number }): Promise<AttachmentRow> {
  return tx.insertInto('attachment').values(attachment).returningAll().executeTakeFirstOrThrow();
}

/** The attachments of an advice request, oldest first. */
export function findAdviceAttachments(db: Db, adviceRequestId: number): Promise<AttachmentRow[]> {
  return db.selectFrom('attachment').selectAll().where('advice_request_id', '=', adviceRequestId).orderBy('id').execute();
}

// The two statements of every change to a referral: one reads what the change is judged on (the
// referral, its tasks with their notes, the head of its audit chain), the other writes the change
// with its audit events, only while that chain is still where it was read.
import { sql, type Insertable, type Kysely, type RawBuilder } from 'kysely';
import { storingResponse, type IdempotentRequest, type StoredResponse } from '../../platform/idempotency.js';
import type { Database } from '../../database.js';
import type { AttachmentRow, ReferralRow, TaskNoteRow, TaskRow } from './tables.js';
import { appendingOnto, chainHead, chainHeadColumn, referralChain, type ChainHead, type PendingAuditEvent } from '../audit/repo.js';
import type { ReferralPatch } from './repo.js';
import type { TaskStatus } from './task-states.js';
import type { RejectionCode, TaskOutcome } from './outcomes.js';
import { recordingNotifications } from '../notifications/record.js';
import { referralNotifications } from './notifications.js';
import { fromJson, notesOfTask, taskWithNotes, type Json, type TaskWithNotes } from './task-repo.js';

type Db = Kysely<Database>;

/** A referral as a change is judged on it. */
export interface ReferralState {
  referral: ReferralRow;
  /** Its tasks, oldest first, each with its notes. */
  tasks: TaskWithNotes[];
  /** Where its audit chain ended when read: the change is written only while it still ends there. */
  head: ChainHead;
  /** The id a task opened by this change takes, when drawn (an unused one is a gap, as ids may have). */
  newTaskId: number | null;
  /** How many attachments it has. */
  attachments: number;
}

/** What a change writes, all in one statement with its audit events. */
export interface ReferralChange {
  /** The referral's columns that change; its version and update time follow. */
  referral?: ReferralPatch;
  /** A task opened for the receiving organisation, under the id drawn with the state. */
  openTask?: { id: number; ownerId: string; requesterId: string };
  /** Tasks that move (or stay, for a note alone: their version still advances). */
  tasks?: { id: number; status: TaskStatus; rejection?: { code: RejectionCode; reason: string }; outcome?: TaskOutcome }[];
  notes?: { taskId: number; author: string; status: string; text: string }[];
  /** The referral's move to another organisation, kept with the referral as it was before it. */
  move?: ReferralMove;
  /** An attachment added, its content already stored. */
  attachment?: Omit<Insertable<AttachmentRow>, 'id' | 'referral_id' | 'advice_request_id' | 'uploaded_at'>;
  events: PendingAuditEvent[];
  /** The result to give again for a repeat of the request (Idempotency-Key), stored with the change. */
  response?: { request: IdempotentRequest; stored: StoredResponse };
}

interface ReferralMove {
  kind: 'REDIRECT' | 'FORWARD';
  to: { performerId: string; organisationId: string; clientId: string };
  reason: string;
  movedBy: string;
}

export interface WrittenChange {
  referral: ReferralRow;
  /** The attachment the change added. */
  attachment?: AttachmentRow;
  /** The tasks as the change left them, oldest first, each with its notes. */
  tasks: TaskWithNotes[];
}

export async function readReferralState(db: Db, id: number, options: { drawTaskId: boolean }): Promise<ReferralState | undefined> {
  const row = await db
    .selectFrom('referral')
    .selectAll('referral')
    .select([
      sql<Json<TaskRow & { notes: Json<TaskNoteRow>[] }>[]>`(SELECT coalesce(json_agg(task_row ORDER BY task_row.id), '[]') FROM (
        SELECT task.*, ${notesOfTask} AS notes FROM referral_task AS task WHERE task.referral_id = referral.id) AS task_row)`.as('tasks'),
      chainHeadColumn(referralChain(id)).as('head'),
      sql<number>`(SELECT count(*)::int FROM attachment WHERE attachment.referral_id = referral.id)`.as('attachments'),
      sql<number | null>`${options.drawTaskId ? sql`nextval(pg_get_serial_sequence('referral_task', 'id'))::int` : sql`NULL::int`}`.as('new_task_id'),
    ])
    .where('referral.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { tasks, head, new_task_id: newTaskId, attachments, ...referral } = row;
  const read = tasks.map(({ notes, ...task }) => taskWithNotes(task, notes));
  return { referral, tasks: read, head: chainHead(referralChain(id), head), newTaskId, attachments };
}

/** Writes `change` onto `state`; nothing, and undefined, when the referral's audit chain moved since `state` was read. */
export async function writeReferralChange(db: Db, state: ReferralState, change: ReferralChange, at: Date): Promise<WrittenChange | undefined> {
  const { rows } = await sql<
    ReferralRow & { written_tasks: Json<TaskRow>[]; written_notes: Json<TaskNoteRow>[]; written_attachment: Json<AttachmentRow> | null }
  >`
    WITH ${appendingOnto(state.head, change.events)},
    ${referralWritten(state.referral.id, change.referral, at)},
    ${tasksWritten(state.referral.id, change, at)},
    ${notesWritten(change.notes ?? [], at)}${change.move ? sql`, ${moveWritten(state.referral, change.move, at)}` : sql``},
    ${attachmentWritten(state.referral.id, change.attachment, at)},
    ${recordingNotifications(referralNotifications(change.events, state.referral, referralAfter(state.referral, change.referral ?? {}, at)), 'audit_head')}${change.response ? sql`, ${storingResponse(change.response.request, change.response.stored, at, 'audit_head')}` : sql``}
    SELECT referral_written.*,
      (SELECT coalesce(jsonb_agg(task), '[]') FROM tasks_written AS task) AS written_tasks,
      (SELECT coalesce(jsonb_agg(note ORDER BY note.id), '[]') FROM notes_written AS note) AS written_notes,
      (SELECT to_jsonb(added) FROM attachment_written AS added) AS written_attachment
    FROM referral_written`.execute(db);
  const [row] = rows;
  if (!row) return undefined;
  const { written_tasks: writtenTasks, written_notes: writtenNotes, written_attachment: attachment, ...referral } = row;
  const tasks = tasksAfter(state.tasks, writtenTasks.map(fromJson<TaskRow>), writtenNotes.map(fromJson<TaskNoteRow>));
  return { referral, tasks, ...(attachment && { attachment: fromJson<AttachmentRow>(attachment) }) };
}

/** The referral as writing `patch` onto it at `at` leaves it (for a result stored before the statement returns). */
export function referralAfter(referral: ReferralRow, patch: ReferralPatch, at: Date): ReferralRow {
  return { ...referral, ...patch, version: referral.version + 1, updated_at: at } as ReferralRow;
}

/** `referral_written`: the referral after the patch (or as it is, without one), once the chain advanced. */
function referralWritten(id: number, patch: ReferralPatch | undefined, at: Date): RawBuilder<unknown> {
  if (!patch) return sql`referral_written AS (SELECT referral.* FROM referral, audit_head WHERE referral.id = ${id})`;
  const columns = Object.entries(patch).filter(([, value]) => value !== undefined);
  const set = columns.map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  return sql`referral_written AS (
    UPDATE referral SET ${sql.join([...set, sql`version = referral.version + 1`, sql`updated_at = ${at}`])}
      FROM audit_head WHERE referral.id = ${id}
    RETURNING referral.*)`;
}

/** `tasks_written`: the tasks moved and the task opened, once the chain advanced. */
function tasksWritten(referralId: number, change: ReferralChange, at: Date): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (change.tasks?.length) {
    const moves = change.tasks.map(
      (task) =>
        sql`(${task.id}::int, ${task.status}::text, ${task.rejection?.reason ?? null}::text, ${task.rejection?.code ?? null}::text, ${task.outcome ?? null}::text)`,
    );
    parts.push(sql`UPDATE referral_task AS task
         SET status = move.status, version = task.version + 1, updated_at = ${at},
             rejection_reason = coalesce(move.rejection_reason, task.rejection_reason),
             rejection_code = coalesce(move.rejection_code, task.rejection_code),
             outcome = coalesce(move.outcome, task.outcome)
        FROM (VALUES ${sql.join(moves)}) AS move (id, status, rejection_reason, rejection_code, outcome), audit_head
       WHERE task.id = move.id AND task.referral_id = ${referralId}
      RETURNING task.*`);
  }
  if (change.openTask) {
    const { id, ownerId, requesterId } = change.openTask;
    parts.push(sql`INSERT INTO referral_task (id, referral_id, status, owner_id, requester_id, created_at, updated_at) OVERRIDING SYSTEM VALUE
      SELECT ${id}, ${referralId}, 'REQUESTED', ${ownerId}, ${requesterId}, ${at}, ${at} FROM audit_head
      RETURNING *`);
  }
  if (parts.length === 0) return sql`tasks_written AS (SELECT * FROM referral_task WHERE false)`;
  // Each data-modifying statement gets its own CTE; tasks_written gathers what they returned.
  const named = parts.map((part, index) => sql`${sql.table(`task_write_${index}`)} AS (${part})`);
  const union = sql.join(
    parts.map((_, index) => sql`SELECT * FROM ${sql.table(`task_write_${index}`)}`),
    sql` UNION ALL `,
  );
  return sql`${sql.join(named)}, tasks_written AS (${union})`;
}

/** `notes_written`: the notes added, once the chain advanced. */
function notesWritten(notes: NonNullable<ReferralChange['notes']>, at: Date): RawBuilder<unknown> {
  if (notes.length === 0) return sql`notes_written AS (SELECT * FROM task_note WHERE false)`;
  const values = notes.map((note) => sql`(${note.taskId}::int, ${note.author}::text, ${note.status}::text, ${note.text}::text, ${at}::timestamptz)`);
  return sql`notes_written AS (
    INSERT INTO task_note (task_id, author, status, text, created_at)
    SELECT note.* FROM (VALUES ${sql.join(values)}) AS note, audit_head
    RETURNING *)`;
}

/** `attachment_written`: the attachment added (none without one), once the chain advanced. */
function attachmentWritten(referralId: number, attachment: ReferralChange['attachment'], at: Date): RawBuilder<unknown> {
  if (!attachment) return sql`attachment_written AS (SELECT * FROM attachment WHERE false)`;
  const { file_name, content_type, size_bytes, sha256, description, uploaded_by, author } = attachment;
  return sql`attachment_written AS (
    INSERT INTO attachment (referral_id, file_name, content_type, size_bytes, sha256, description, uploaded_by, author, uploaded_at)
    SELECT ${referralId}, ${file_name}, ${content_type}, ${size_bytes}, ${sha256}, ${description ?? null}, ${uploaded_by}, ${author}, ${at} FROM audit_head
    RETURNING *)`;
}

/** `move_written`: the move, with the referral as the statement found it (before its own update), once the chain advanced. */
function moveWritten(referral: ReferralRow, move: ReferralMove, at: Date): RawBuilder<unknown> {
  return sql`move_written AS (
    INSERT INTO referral_move (referral_id, kind, from_performer_id, from_organisation_id, from_client_id,
                               to_performer_id, to_organisation_id, to_client_id, reason, moved_by, moved_at, referral_before)
    SELECT referral.id, ${move.kind}, referral.performer_id, referral.receiving_organisation_id, referral.receiving_facility_client_id,
           ${move.to.performerId}, ${move.to.organisationId}, ${move.to.clientId}, ${move.reason}, ${move.movedBy}, ${at}, to_jsonb(referral)
      FROM referral, audit_head WHERE referral.id = ${referral.id}
    RETURNING id)`;
}

/** The tasks as read, with what the change wrote laid over them, and any task it opened after them. */
function tasksAfter(before: TaskWithNotes[], written: TaskRow[], notes: TaskNoteRow[]): TaskWithNotes[] {
  const notesOf = (taskId: number) => notes.filter((note) => note.task_id === taskId);
  const kept = before.map((task) => {
    const moved = written.find((row) => row.id === task.id);
    return moved ? { ...moved, notes: [...task.notes, ...notesOf(task.id)] } : task;
  });
  const opened = written.filter((row) => !before.some((task) => task.id === row.id)).map((row) => ({ ...row, notes: notesOf(row.id) }));
  return [...kept, ...opened];
}

// Referral tasks and their notes in the database.
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, ReferralRow, TaskNoteRow, TaskRow } from '../../platform/schema.js';
import { chainAppend, chainExists, type PendingAuditEvent } from '../audit/repo.js';
import type { TaskStatus } from './task-states.js';

type Db = Kysely<Database>;

export interface TaskWithNotes extends TaskRow {
  notes: TaskNoteRow[];
}

export function insertTask(db: Db, task: { referralId: number; ownerId: string; requesterId: string; at: Date }): Promise<TaskRow> {
  return db
    .insertInto('referral_task')
    .values({
      referral_id: task.referralId,
      status: 'REQUESTED',
      owner_id: task.ownerId,
      requester_id: task.requesterId,
      created_at: task.at,
      updated_at: task.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Reads a referral and one of its tasks with the task's notes in one statement; with `lock`, locks
 * both (referral first, the lock order used everywhere). Nothing when either does not exist.
 */
export async function readReferralTask(
  db: Db,
  referralId: number,
  taskId: number,
  options: { lock: boolean },
): Promise<{ referral: ReferralRow; task: TaskWithNotes } | undefined> {
  const query = db
    .selectFrom('referral')
    .innerJoin('referral_task as task', 'task.referral_id', 'referral.id')
    .selectAll('referral')
    .select([sql<Json<TaskRow>>`to_jsonb(task)`.as('task'), notesOfTask.as('notes')])
    .where('referral.id', '=', referralId)
    .where('task.id', '=', taskId);
  const row = await (options.lock ? query.forUpdate() : query).executeTakeFirst();
  if (!row) return undefined;
  const { task, notes, ...referral } = row;
  return { referral, task: taskWithNotes(task, notes) };
}

export interface TaskUpdate {
  referralId: number;
  /** The referral's status and the task's version the update was judged on. */
  referralStatus: string;
  taskId: number;
  taskVersion: number;
  status: TaskStatus;
  rejectionReason: string | null;
  note: { author: string; text: string } | null;
  at: Date;
  audit: PendingAuditEvent;
  /** The update completes the referral too, audited by this event after the task's. */
  referralCompletion: PendingAuditEvent | null;
}

export interface WrittenTaskUpdate {
  task: TaskRow;
  note: TaskNoteRow | null;
}

/**
 * Writes a task update in one statement, only while the referral is still in the status and the
 * task at the version it was judged on: locks the referral, moves the task, adds the note, completes
 * the referral when the update does, and appends the audit events. Nothing is written, and nothing
 * returned, when either has moved on (or the audit chain has no head yet).
 */
export async function writeTaskUpdate(db: Db, update: TaskUpdate): Promise<WrittenTaskUpdate | undefined> {
  const completion = update.referralCompletion;
  const { rows } = await sql<TaskRow & { note: Json<TaskNoteRow> | null }>`
    WITH referral_locked AS (
      SELECT id FROM referral WHERE id = ${update.referralId} AND status = ${update.referralStatus} AND ${chainExists(update.audit)} FOR UPDATE
    ), task AS (
      UPDATE referral_task AS t
         SET status = ${update.status}, rejection_reason = coalesce(${update.rejectionReason}::text, t.rejection_reason),
             version = t.version + 1, updated_at = ${update.at}
        FROM referral_locked
       WHERE t.id = ${update.taskId} AND t.referral_id = referral_locked.id AND t.version = ${update.taskVersion}
      RETURNING t.*
    ), note AS (
      INSERT INTO task_note (task_id, author, status, text, created_at)
      SELECT id, ${update.note?.author ?? null}::text, ${update.status}, ${update.note?.text ?? null}::text, ${update.at}
        FROM task WHERE ${update.note?.text ?? null}::text IS NOT NULL
      RETURNING *
    ), ${
      completion
        ? sql`referral_completed AS (
      UPDATE referral SET status = 'COMPLETED', version = referral.version + 1, updated_at = ${update.at}
        FROM task WHERE referral.id = task.referral_id
    ), `
        : sql``
    }${chainAppend(completion ? [update.audit, completion] : [update.audit], 'task')}
    SELECT task.*, (SELECT to_jsonb(note) FROM note) AS note FROM task`.execute(db);
  const [row] = rows;
  if (!row) return undefined;
  const { note, ...task } = row;
  return { task, note: note && fromJson<TaskNoteRow>(note) };
}

/** A row read as JSON back to its row type: its timestamps arrive as text (whatever the query builder's types say). */
function fromJson<T extends { created_at: Date }>(row: Json<T> | T): T {
  const dates = Object.fromEntries(
    ['created_at', 'updated_at'].filter((key) => key in row).map((key) => [key, new Date((row as Record<string, string>)[key]!)]),
  );
  return { ...row, ...dates } as T;
}

/** A row read as JSON: its timestamps arrive as text. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/** The notes of the task a query names `task`, in the order they were written, as a JSON array. */
const notesOfTask = sql<Json<TaskNoteRow>[]>`(SELECT coalesce(json_agg(n ORDER BY n.id), '[]') FROM task_note AS n WHERE n.task_id = task.id)`;

/** A task and its notes as read, with notes (and a task read as JSON) back to their row types. */
function taskWithNotes(task: Json<TaskRow> | TaskRow, notes: Json<TaskNoteRow>[]): TaskWithNotes {
  return { ...fromJson<TaskRow>(task), notes: notes.map((note) => fromJson<TaskNoteRow>(note)) };
}

export function openTasks(db: Db, referralId: number): Promise<TaskRow[]> {
  return db
    .selectFrom('referral_task')
    .selectAll()
    .where('referral_id', '=', referralId)
    .where('status', 'not in', ['COMPLETED', 'REJECTED', 'CANCELLED'])
    .orderBy('id')
    .forUpdate()
    .execute();
}

export function updateTask(db: Db, taskId: number, patch: { status: TaskStatus; rejection_reason?: string | null }, at: Date) {
  return db
    .updateTable('referral_task')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: at }))
    .where('id', '=', taskId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertNote(db: Db, note: { taskId: number; author: string; status: string; text: string; at: Date }) {
  return db
    .insertInto('task_note')
    .values({ task_id: note.taskId, author: note.author, status: note.status, text: note.text, created_at: note.at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A referral with its tasks, oldest first, each with its notes in the order they were written, in
 * one statement. Nothing when the referral does not exist.
 */
export async function findReferralWithTasks(db: Db, referralId: number): Promise<{ referral: ReferralRow; tasks: TaskWithNotes[] } | undefined> {
  const row = await db
    .selectFrom('referral')
    .selectAll('referral')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('referral_task as task')
          .selectAll('task')
          .select(notesOfTask.as('notes'))
          .whereRef('task.referral_id', '=', 'referral.id')
          .orderBy('task.id'),
      ).as('tasks'),
    )
    .where('referral.id', '=', referralId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { tasks, ...referral } = row;
  return { referral, tasks: tasks.map(({ notes, ...task }) => taskWithNotes(task, notes)) };
}

/** The tasks with these ids (of any referral), each with its notes, in one statement. */
export async function findTasksWithNotes(db: Db, taskIds: number[]): Promise<TaskWithNotes[]> {
  const rows = await db
    .selectFrom('referral_task as task')
    .selectAll('task')
    .select(notesOfTask.as('notes'))
    .where('task.id', 'in', taskIds)
    .orderBy('task.id')
    .execute();
  return rows.map(({ notes, ...task }) => taskWithNotes(task, notes));
}

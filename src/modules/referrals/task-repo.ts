// Referral tasks and their notes in the database.
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, ReferralRow, TaskNoteRow, TaskRow } from '../../platform/schema.js';
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
 * Locks a referral and one of its tasks in one statement (referral first, the lock order used
 * everywhere) and reads the task's notes. Nothing when either does not exist.
 */
export async function lockReferralTask(db: Db, referralId: number, taskId: number): Promise<{ referral: ReferralRow; task: TaskWithNotes } | undefined> {
  const row = await db
    .selectFrom('referral')
    .innerJoin('referral_task as task', 'task.referral_id', 'referral.id')
    .selectAll('referral')
    .select((eb) => [
      sql<Json<TaskRow>>`to_jsonb(task)`.as('task'),
      jsonArrayFrom(eb.selectFrom('task_note').selectAll('task_note').whereRef('task_note.task_id', '=', 'task.id').orderBy('task_note.id')).as('notes'),
    ])
    .where('referral.id', '=', referralId)
    .where('task.id', '=', taskId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const { task, notes, ...referral } = row;
  return {
    referral,
    task: { ...task, created_at: new Date(task.created_at), updated_at: new Date(task.updated_at), notes: notes.map((note) => ({ ...note, created_at: new Date(note.created_at) })) },
  };
}

/** A row read as JSON: its timestamps arrive as text. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

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

/** The referral's tasks, oldest first, each with its notes in the order they were written. */
export async function listTasksWithNotes(db: Db, referralId: number): Promise<TaskWithNotes[]> {
  return withNotes(db, await db.selectFrom('referral_task').selectAll().where('referral_id', '=', referralId).orderBy('id').execute());
}

/** The tasks with these ids (of any referral), each with its notes. */
export async function findTasksWithNotes(db: Db, taskIds: number[]): Promise<TaskWithNotes[]> {
  return withNotes(db, await db.selectFrom('referral_task').selectAll().where('id', 'in', taskIds).orderBy('id').execute());
}

async function withNotes(db: Db, tasks: TaskRow[]): Promise<TaskWithNotes[]> {
  if (tasks.length === 0) return [];
  const notes = await db
    .selectFrom('task_note')
    .selectAll()
    .where('task_id', 'in', tasks.map((task) => task.id))
    .orderBy('id')
    .execute();
  return tasks.map((task) => ({ ...task, notes: notes.filter((note) => note.task_id === task.id) }));
}

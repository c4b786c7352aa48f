// Referral tasks and their notes in the database.
import type { Kysely } from 'kysely';
import type { Database, TaskNoteRow, TaskRow } from '../../platform/schema.js';
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

export function findTask(db: Db, referralId: number, taskId: number, options: { forUpdate?: boolean } = {}) {
  const query = db.selectFrom('referral_task').selectAll().where('id', '=', taskId).where('referral_id', '=', referralId);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
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

/** The referral's tasks, oldest first, each with its notes in the order they were written. */
export async function listTasksWithNotes(db: Db, referralId: number): Promise<TaskWithNotes[]> {
  const tasks = await db.selectFrom('referral_task').selectAll().where('referral_id', '=', referralId).orderBy('id').execute();
  if (tasks.length === 0) return [];
  const notes = await db
    .selectFrom('task_note')
    .selectAll()
    .where('task_id', 'in', tasks.map((task) => task.id))
    .orderBy('id')
    .execute();
  return tasks.map((task) => ({ ...task, notes: notes.filter((note) => note.task_id === task.id) }));
}

export async function withNotes(db: Db, task: TaskRow): Promise<TaskWithNotes> {
  const notes = await db.selectFrom('task_note').selectAll().where('task_id', '=', task.id).orderBy('id').execute();
  return { ...task, notes };
}

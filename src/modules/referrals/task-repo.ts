// Reading referral tasks and their notes (a change writes them through change-repo.ts).
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../database.js';
import type { ReferralRow, TaskNoteRow, TaskRow } from './tables.js';

type Db = Kysely<Database>;

export interface TaskWithNotes extends TaskRow {
  notes: TaskNoteRow[];
}

/** The timestamp columns of this module's rows. */
const TIMESTAMPS = ['created_at', 'updated_at', 'authored_on', 'response_due_at', 'uploaded_at'];

/** A row read as JSON back to its row type: its timestamps arrive as text (whatever the query builder's types say); null stays null. */
export function fromJson<T extends object>(row: Json<T> | T): T {
  const values = row as Record<string, unknown>;
  const dates = Object.fromEntries(
    TIMESTAMPS.filter((key) => values[key] !== undefined && values[key] !== null).map((key) => [key, new Date(values[key] as string)]),
  );
  return { ...row, ...dates } as T;
}

/** A row read as JSON: its timestamps arrive as text. */
export type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/** The notes of the task a query names `task`, in the order they were written, as a JSON array. */
export const notesOfTask = sql<Json<TaskNoteRow>[]>`(SELECT coalesce(json_agg(n ORDER BY n.id), '[]') FROM task_note AS n WHERE n.task_id = task.id)`;

/** The current (newest) task of the referral a query names `referral`: its id and status, or null before it is sent. */
export const currentTaskOfReferral = sql<{ id: number; status: string } | null>`(
  SELECT json_build_object('id', t.id, 'status', t.status) FROM referral_task AS t WHERE t.referral_id = referral.id ORDER BY t.id DESC LIMIT 1)`;

/** A task and its notes as read, with notes (and a task read as JSON) back to their row types. */
export function taskWithNotes(task: Json<TaskRow> | TaskRow, notes: Json<TaskNoteRow>[]): TaskWithNotes {
  return { ...fromJson<TaskRow>(task), notes: notes.map((note) => fromJson<TaskNoteRow>(note)) };
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

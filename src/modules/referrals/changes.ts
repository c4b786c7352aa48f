// The one path of every change to a referral after it is created (edit, send, hold, resume, revoke,
// each task update): read the referral, its tasks and the head of its audit chain in one statement;
// judge the change on them with the state tables and access rules; write it with its audit events
// in one statement. Every change to a referral or its tasks appends to the referral's chain, so the
// write holds only while the chain is where it was read, which means nothing changed meanwhile; when
// something did, the change is read and judged again on what is there now. No locks are held while
// judging, and no rows are remembered between requests.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { referralBusy } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import { readReferralState, writeReferralChange, type ReferralChange, type ReferralState, type WrittenChange } from './change-repo.js';

/** The change to make on the referral as read; it throws to refuse (undefined state: no such referral). */
export type JudgeChange = (state: ReferralState | undefined, at: Date) => ReferralChange | Promise<ReferralChange>;

/** How often a change is judged again while others keep moving the referral first (each retry means another change was written). */
const MAX_ATTEMPTS = 50;

export async function changeReferral(
  db: Kysely<Database>,
  clock: Clock,
  id: number,
  judge: JudgeChange,
  options: { opensTask?: boolean } = {},
): Promise<WrittenChange> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await readReferralState(db, id, { drawTaskId: options.opensTask ?? false });
    const at = clock.now();
    const change = await judge(state, at);
    const written = await writeReferralChange(db, state!, change, at);
    if (written) return written;
  }
  throw referralBusy();
}

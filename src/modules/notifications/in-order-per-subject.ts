// Offering a run of events to one endpoint with several deliveries in flight, yet each referral's (each
// subject's) events strictly in order: a subject's events go one after another, different subjects'
// side by side. After the first refusal nothing more is started; the endpoint's cursor moves only to
// just before the first event not taken, so what follows it is offered again (at least once, and
// still in order per subject).

interface Sequenced {
  seq: number | string | null;
  subject_type: string;
  subject_id: number;
}

export interface Offered {
  /** The seq every event up to which was taken (the cursor to keep). */
  takenThrough: number;
  /** Why the first event not taken was refused, if one was. */
  failure?: unknown;
}

/** Offers `events` (in seq order, after `cursor`) through `offer`, at most `width` subjects at a time. */
export async function offerInOrderPerSubject<Event extends Sequenced>(
  events: Event[],
  cursor: number,
  width: number,
  offer: (event: Event) => Promise<void>,
): Promise<Offered> {
  const bySubject = new Map<string, Event[]>();
  for (const event of events) {
    const subject = `${event.subject_type}/${event.subject_id}`;
    const ofSubject = bySubject.get(subject);
    if (ofSubject) ofSubject.push(event);
    else bySubject.set(subject, [event]);
  }
  const queue = [...bySubject.values()];
  const taken = new Set<Event>();
  let failure: { error: unknown } | undefined;

  async function offerSubjects(): Promise<void> {
    for (let subject = queue.shift(); subject && !failure; subject = queue.shift()) {
      for (const event of subject) {
        if (failure) return;
        try {
          await offer(event);
          taken.add(event);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, offerSubjects));

  const firstNotTaken = events.find((event) => !taken.has(event));
  const takenThrough = firstNotTaken ? Number(firstNotTaken.seq) - 1 : Number(events.at(-1)?.seq ?? cursor);
  return { takenThrough: Math.max(cursor, takenThrough), failure: failure?.error };
}

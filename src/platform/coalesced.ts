// A task asked for again and again (on every notice, tick or wake) that must not run twice at once:
// asks while it runs share that run and make one more run after it, so nothing asked for is missed
// and nothing piles up.

/** The task, as a function to ask for it; the task answers true to be run again at once (it left work). */
export function coalesced(task: () => Promise<boolean | void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return function ask(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        if ((await task()) === true) again = true;
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
}

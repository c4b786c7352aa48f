// Any error on a page a patient sees, in plain words: what happened and where to start again. The
// technical message appears only where it helps them (a form value we could not take).
import type { VNode } from 'preact';
import type { ErrorModel } from '../http-errors.js';
import { Page } from './page.js';

/** Where a patient starts again after an error: the page's own start, named in plain words. */
export interface StartAgain {
  /** `your consent portal`, `the app that sent you here` */
  place: string;
  link?: { href: string; label: string };
}

export function ErrorPage({ error, startAgain }: { error: ErrorModel; startAgain: StartAgain }): VNode {
  const { heading, advice } = plainWordsFor(error, startAgain.place);
  return (
    <Page title={`${heading} — Referral Hub`}>
      <h1>{heading}</h1>
      <p class="error" role="alert">
        {advice}
      </p>
      {error.status === 400 && <p class="small">Details for the help desk: {error.message}</p>}
      {startAgain.link && (
        <p>
          <a href={startAgain.link.href}>{startAgain.link.label}</a>
        </p>
      )}
    </Page>
  );
}

function plainWordsFor(error: ErrorModel, place: string): { heading: string; advice: string } {
  if (error.status === 400) return { heading: 'That did not work', advice: `Please go back to ${place} and try again.` };
  if (error.status === 404) return { heading: 'We could not find that page', advice: `Please check the link, or start again from ${place}.` };
  if (error.status === 429) return { heading: 'Too many attempts', advice: 'Please wait a few minutes before trying again.' };
  if (error.status >= 500)
    return { heading: 'Something went wrong on our side', advice: 'Please try again in a moment. If it keeps happening, contact your practice or hospital.' };
  return { heading: 'That could not be done', advice: error.message };
}

// The service's front door at `/`: what runs here and where each kind of visitor goes — clinicians to
// their app, patients to their consent portal, integrators to the API documentation, operators to
// /health. Only the parts this process serves are listed.
import type { VNode } from 'preact';
import { Page } from './page.js';

export interface Entrance {
  href: string;
  title: string;
  who: string;
}

export function landingPage(entrances: Entrance[]): VNode {
  return (
    <Page title="Referral Hub">
      <h1>Referral Hub</h1>
      <p>Clinical referrals between practices and hospitals, shared only as far as the patient has consented.</p>
      <nav aria-label="Where to go">
        {entrances.map((entrance) => (
          <a class="card entrance" href={entrance.href}>
            <strong>{entrance.title}</strong>
            <br />
            <span class="small">{entrance.who}</span>
          </a>
        ))}
      </nav>
    </Page>
  );
}

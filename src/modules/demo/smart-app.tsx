// A small SMART app for the demo, standing in for the cardiology unit's viewer: it launches
// standalone with PKCE against this server, then reads the patient's Observations, Conditions and
// DiagnosticReports and shows them — or shows that access was refused. A page of the service's
// layout with one browser script (smart-app.browser.js, served beside it); its settings travel in
// the page as JSON in an attribute.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { VNode } from 'preact';
import { Page, sendPage } from '../../platform/pages/page.js';
import { DEMO_CLIENT_ID } from './seed.js';

const SCOPES = 'launch/patient openid fhirUser patient/Observation.rs patient/Condition.rs patient/DiagnosticReport.rs';
const SCRIPT = readFileSync(new URL('./smart-app.browser.js', import.meta.url), 'utf8');
const SCRIPT_PATH = '/demo/smart-app.js';

export async function demoSmartAppRoutes(app: FastifyInstance, { publicBaseUrl }: { publicBaseUrl: string }): Promise<void> {
  const settings = {
    clientId: DEMO_CLIENT_ID,
    fhirBase: `${publicBaseUrl}/fhir`,
    redirectUri: `${publicBaseUrl}/demo/smart-app/callback`,
    scope: SCOPES,
  };
  app.get(SCRIPT_PATH, { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
  for (const path of ['/demo/smart-app', '/demo/smart-app/callback']) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) => sendPage(reply, smartAppPage(settings)));
  }
}

function smartAppPage(settings: Record<string, string>): VNode {
  return (
    <Page title="Royal London Cardiology — patient viewer (demo SMART app)" script={SCRIPT_PATH}>
      <h1>Cardiology patient viewer</h1>
      <p id="status">Not connected.</p>
      <p>
        <button id="launch">Launch with Referral Hub</button>{' '}
        <button id="reload" class="secondary" hidden>
          Read again
        </button>
      </p>
      <div id="data" />
      <div id="settings" data-json={JSON.stringify(settings)} hidden />
    </Page>
  );
}

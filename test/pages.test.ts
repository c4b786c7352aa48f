// Values on a page are text, whatever they hold: an app's name, an organisation, a resource type or an
// error message cannot add markup to a patient's page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToString } from 'preact-render-to-string';
import { loginPage, portalPage, readsPage, revokeConfirmPage } from '../src/modules/portal/pages.js';
import { smartConsentPage } from '../src/modules/smart/pages.js';

const HOSTILE = `"><img src=x onerror=alert(1)><script>alert(2)</script>`;

describe('pages', () => {
  it('shows hostile values as text on the portal and the SMART consent screen', () => {
    const pages = [
      loginPage({ csrfToken: HOSTILE, clientId: HOSTILE, error: HOSTILE }),
      portalPage({
        greeting: HOSTILE,
        csrfToken: 'token',
        apps: [
          { clientId: HOSTILE, name: HOSTILE, organization: HOSTILE, types: [{ resourceType: HOSTILE, grant: { id: 1, since: HOSTILE, source: HOSTILE } }] },
        ],
        notice: HOSTILE,
      }),
      revokeConfirmPage({ csrfToken: 'token', clientId: HOSTILE, grantId: 1, appName: HOSTILE, organization: HOSTILE, resourceType: HOSTILE }),
      readsPage({
        greeting: HOSTILE,
        csrfToken: 'token',
        reads: [{ at: HOSTILE, app: HOSTILE, organization: HOSTILE, resourceType: HOSTILE, allowed: false }],
      }),
      smartConsentPage({ uid: HOSTILE, appName: HOSTILE, organization: HOSTILE, greeting: HOSTILE, types: [{ resourceType: HOSTILE, alreadyAllowed: true }] }),
    ];
    for (const page of pages) {
      const html = renderToString(page);
      assert.doesNotMatch(html, /<img|<script/);
      assert.match(html, /&lt;script>alert\(2\)&lt;\/script>|&lt;script&gt;alert\(2\)&lt;\/script&gt;/);
      assert.doesNotMatch(html, /value=""><img/);
    }
  });
});

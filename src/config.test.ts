// Configuration that decides what a new install holds: demo data only on the embedded database or
// when DEMO=true is said explicitly, so a PostgreSQL deployment starts clean.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config.js';

describe('demo mode', () => {
  const demo = (env: Record<string, string>) => loadConfig(env, []).demo;
  it('is on for the embedded database unless DEMO=false', () => {
    assert.equal(demo({}), true);
    assert.equal(demo({ DEMO: 'false' }), false);
  });
  it('is off with DATABASE_URL unless DEMO=true', () => {
    assert.equal(demo({ DATABASE_URL: 'postgres://db/referrals' }), false);
    assert.equal(demo({ DATABASE_URL: 'postgres://db/referrals', DEMO: 'true' }), true);
  });
});

describe('an external provider for clinicians', () => {
  it('is off unless CLINICIAN_OIDC_ISSUER is set, and then needs the client id', () => {
    assert.equal(loadConfig({}, []).clinicianOidc, undefined);
    assert.throws(() => loadConfig({ CLINICIAN_OIDC_ISSUER: 'https://login.trust.example' }, []), /CLINICIAN_OIDC_CLIENT_ID/);
  });
  it('maps the practitioner from fhirUser for the API audience by default, or as configured', () => {
    const issuer = 'https://login.trust.example/realms/staff';
    assert.deepEqual(loadConfig({ CLINICIAN_OIDC_ISSUER: issuer, CLINICIAN_OIDC_CLIENT_ID: 'referral-hub' }, []).clinicianOidc, {
      issuer,
      clientId: 'referral-hub',
      scope: 'openid profile offline_access',
      audience: 'referral-hub-api',
      practitionerClaim: 'fhirUser',
    });
    const mapped = loadConfig(
      {
        CLINICIAN_OIDC_ISSUER: issuer,
        CLINICIAN_OIDC_CLIENT_ID: 'referral-hub',
        CLINICIAN_OIDC_PRACTITIONER_CLAIM: 'practitioner_id',
        CLINICIAN_OIDC_AUDIENCE: 'api://hub',
      },
      [],
    ).clinicianOidc;
    assert.equal(mapped?.practitionerClaim, 'practitioner_id');
    assert.equal(mapped?.audience, 'api://hub');
  });
});

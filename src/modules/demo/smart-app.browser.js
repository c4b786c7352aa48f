// The demo SMART app's browser side (smart-app.tsx serves it): launch with PKCE, read, show.
const settings = JSON.parse(document.getElementById('settings').dataset.json);
const types = ['Observation', 'Condition', 'DiagnosticReport'];
const status = document.getElementById('status');
const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));

async function launch() {
  const smart = await (await fetch(settings.fhirBase + '/.well-known/smart-configuration')).json();
  const verifier = random(),
    state = random();
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state, tokenEndpoint: smart.token_endpoint }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const url = new URL(smart.authorization_endpoint);
  Object.entries({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: settings.scope,
    state,
    aud: settings.fhirBase,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).forEach(([key, value]) => url.searchParams.set(key, value));
  location.assign(url.href);
}

async function completeLaunch(params) {
  const pkce = JSON.parse(sessionStorage.getItem('pkce') || '{}');
  if (params.get('state') !== pkce.state) throw new Error('The authorization answer does not match this launch');
  const response = await fetch(pkce.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: settings.redirectUri,
      client_id: settings.clientId,
      code_verifier: pkce.verifier,
    }),
  });
  const token = await response.json();
  if (!response.ok) throw new Error(token.error_description || token.error);
  sessionStorage.setItem('token', JSON.stringify(token));
  history.replaceState(null, '', location.pathname);
}

function render(type, outcome) {
  const section = document.createElement('section');
  section.className = 'result';
  section.dataset.resourceType = type;
  const heading = document.createElement('h2');
  heading.textContent = type;
  section.append(heading);
  if (outcome.refused) {
    const p = document.createElement('p');
    p.className = 'refused';
    p.textContent = outcome.refused;
    section.append(p);
  } else {
    const list = document.createElement('ul');
    for (const resource of outcome.resources) {
      const item = document.createElement('li');
      const value = resource.valueQuantity
        ? ' — ' + resource.valueQuantity.value + ' ' + resource.valueQuantity.unit
        : resource.valueString
          ? ' — ' + resource.valueString
          : resource.conclusion
            ? ' — ' + resource.conclusion
            : '';
      item.textContent = (resource.code?.text || resource.code?.coding?.[0]?.display || resource.id) + value;
      list.append(item);
    }
    section.append(list);
  }
  return section;
}

async function readAll() {
  const token = JSON.parse(sessionStorage.getItem('token'));
  status.textContent = 'Connected for patient ' + token.patient + ' with scopes: ' + token.scope;
  const data = document.getElementById('data');
  data.replaceChildren();
  for (const type of types) {
    const response = await fetch(settings.fhirBase + '/' + type + '?patient=' + encodeURIComponent(token.patient), {
      headers: { authorization: 'Bearer ' + token.access_token, accept: 'application/fhir+json' },
    });
    const body = await response.json();
    const outcome = response.ok
      ? { resources: (body.entry || []).map((entry) => entry.resource) }
      : { refused: body.issue?.[0]?.diagnostics || 'Access refused (' + response.status + ')' };
    data.append(render(type, outcome));
  }
  document.getElementById('reload').hidden = false;
}

document.getElementById('launch').addEventListener('click', () => launch().catch((error) => (status.textContent = error.message)));
document.getElementById('reload').addEventListener('click', () => readAll().catch((error) => (status.textContent = error.message)));
const params = new URLSearchParams(location.search);
if (params.has('code'))
  completeLaunch(params)
    .then(readAll)
    .catch((error) => (status.textContent = error.message));
else if (params.has('error')) status.textContent = 'Authorization refused: ' + params.get('error_description');
else if (sessionStorage.getItem('token')) readAll().catch((error) => (status.textContent = error.message));

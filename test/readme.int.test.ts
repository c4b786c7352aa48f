// The README's promises, as a new user meets them: `npm start` on PGlite with demo data, demo tokens
// from `npm run --silent token`, the guide's consent gate, graceful stop, and `audit:verify`.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSigningKey } from '../src/platform/keys.js';
import { mintToken } from '../src/modules/identity/tokens.js';
import { guideReferral } from './support/harness.js';
import { freePort } from './support/ports.js';

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    const healthy = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { child, base, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill();
  throw new Error(`server did not start: ${output}`);
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const npmRun = (args: string[], env: Record<string, string>) =>
  spawnSync('npm', ['run', '--silent', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('npm start in demo mode', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rh-readme-'));
    server = await startServer({ DATA_DIR: dataDir });
  });
  after(async () => {
    await stop(server.child);
    await rm(dataDir, { recursive: true, force: true });
  });

  const token = (identity: string) => {
    const result = npmRun(['token', '--', identity], { DATA_DIR: dataDir });
    assert.equal(result.status, 0, result.stderr);
    const printed = result.stdout.trim();
    assert.match(printed, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'prints only the token');
    return printed;
  };
  const call = async (method: string, route: string, identity: string, body?: unknown) => {
    const response = await fetch(`${server.base}${route}`, {
      method,
      headers: { authorization: `Bearer ${token(identity)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json() };
  };

  it('says how to get demo tokens', () => {
    assert.match(server.output(), /npm run --silent token -- dr-smith/);
  });

  it('greets a visitor at / with where to go, and every place it names answers', async () => {
    const landing = await fetch(`${server.base}/`);
    assert.equal(landing.status, 200);
    assert.match(landing.headers.get('content-type') ?? '', /^text\/html/);
    const links = [...(await landing.text()).matchAll(/<a class="card entrance" href="([^"]+)"/g)].map((match) => match[1]!);
    assert.deepEqual(links, ['/app/', '/consent/portal', '/docs', '/fhir/metadata', '/health']);
    for (const link of links) assert.equal((await fetch(`${server.base}${link}`)).status, 200, link);
  });

  it('meets the consent gate on Condition with the demo data, and sends once the patient consents', async () => {
    const created = await call('POST', '/api/referrals', 'dr-smith', guideReferral());
    assert.equal(created.status, 201);
    const refused = await call('POST', `/api/referrals/${created.body.id}/send`, 'dr-smith');
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.missingResourceTypes, ['Condition']);
    const consent = { patientId: 'Patient/ePatient-8675309', clientId: 'royal-london-cardiology-smart', resourceTypes: ['Condition'] };
    assert.equal((await call('POST', '/api/consent', 'patient', consent)).status, 201);
    const sent = await call('POST', `/api/referrals/${created.body.id}/send`, 'dr-smith');
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, 'ACTIVE');
  });

  it('stops on SIGTERM, after which audit:verify reports an intact chain', async () => {
    assert.equal(await stop(server.child), 0);
    const verify = npmRun(['audit:verify'], { DATA_DIR: dataDir });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /intact/);
  });
});

/** The JSON documents curl printed one after another, without separators. */
function jsonValuesIn(text: string): any[] {
  const values: any[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (depth++ === 0) start = i;
    } else if ((char === '}' || char === ']') && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
  }
  return values;
}

/** The first shell block after `heading` in the README's section. */
function scriptAfter(section: string, heading: string): string {
  return /```sh\n([\s\S]*?)```/.exec(section.slice(section.indexOf(heading)))![1]!;
}

describe("the README's curl walkthrough", () => {
  it('runs as written on a fresh demo server, task steps included, to a completed referral; then a rejection, a redirect and a return with advice', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf("## The workflow guide's walkthrough with curl"));
    const script = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-walkthrough-'));
    const server = await startServer({ DATA_DIR: dataDir });
    try {
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
        env: { ...process.env, DATA_DIR: dataDir, API: `${server.base}/api` },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const answers = jsonValuesIn(run.stdout);
      assert.equal(answers[1].code, 'CONSENT_GATE_FAILED');
      assert.equal(answers[3].status, 'ACTIVE');
      const taskAnswers = answers.filter((answer) => answer.referralId === 1 && typeof answer.status === 'string');
      assert.deepEqual(
        taskAnswers.map((task) => task.status),
        ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED'],
      );
      const followed = answers.find((answer) => answer.id === 1 && answer.status === 'COMPLETED' && 'consentVerified' in answer);
      assert.ok(followed, 'step 5 shows the referral COMPLETED');

      const afterAnswer = spawnSync('bash', ['-euo', 'pipefail', '-c', scriptAfter(section, '### After the first answer')], {
        env: { ...process.env, DATA_DIR: dataDir, API: `${server.base}/api` },
        encoding: 'utf8',
      });
      assert.equal(afterAnswer.status, 0, afterAnswer.stderr);
      const [rejected, worklists, actionNeeded, refused, , returnedReceived, returned, gpView, cardiologyView] = jsonValuesIn(afterAnswer.stdout);
      assert.deepEqual([rejected.status, rejected.rejectionCode], ['REJECTED', 'WRONG_SERVICE']);
      assert.equal(worklists.lists.find((list: any) => list.name === 'action-needed').count, 1);
      assert.deepEqual(actionNeeded.items[0].actions, ['hold', 'revoke', 'redirect', 'attach']);
      assert.equal(refused.code, 'CONSENT_GATE_FAILED');
      assert.equal(returnedReceived.status, 'RECEIVED');
      assert.deepEqual([returned.status, returned.outcome], ['COMPLETED', 'RETURNED_WITH_ADVICE']);
      assert.equal(gpView.performerId, 'Organization/city-hospital');
      assert.deepEqual(
        [cardiologyView.movedAway.kind, cardiologyView.performerId, cardiologyView.actions],
        ['REDIRECT', 'Organization/royal-london-cardiology', []],
      );
    } finally {
      await stop(server.child);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start', () => {
  it('stops gracefully within 10 s when npm itself gets SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-npm-'));
    const port = await freePort();
    const npm = spawn('npm', ['start'], { env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' } });
    let output = '';
    npm.stdout!.on('data', (chunk) => (output += chunk));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (
        let attempt = 0;
        attempt < 120 &&
        !(await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        ));
        attempt++
      )
        await new Promise((resolve) => setTimeout(resolve, 250));
      const started = Date.now();
      npm.kill('SIGTERM');
      let down = false;
      while (!down && Date.now() - started < 10_000) {
        down = await fetch(`${base}/health`).then(
          () => false,
          () => true,
        );
        if (!down) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(down, 'the server still answers 10 s after SIGTERM to npm');
      await new Promise((resolve) => (npm.exitCode !== null ? resolve(null) : npm.once('exit', resolve)));
      assert.match(output, /Referral Hub stopped \(SIGTERM\)/);
    } finally {
      npm.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('DEMO=false', () => {
  it('refuses demo tokens, starts without demo data, and lets in the administrator made by `npm run admin -- bootstrap`', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-clean-'));
    const bootstrap = npmRun(['admin', '--', 'bootstrap', 'ops'], { DATA_DIR: dataDir, DEMO: 'false' });
    assert.equal(bootstrap.status, 0, bootstrap.stderr);
    const adminToken = bootstrap.stdout.split('\n').find((line) => line.split('.').length === 3)!;
    assert.notEqual(npmRun(['admin', '--', 'bootstrap', 'someone-else'], { DATA_DIR: dataDir, DEMO: 'false' }).status, 0, 'a second bootstrap is refused');
    const added = npmRun(['admin', '--', 'add-organization', '{"id":"valley-practice","name":"Valley Medical Practice"}'], {
      DATA_DIR: dataDir,
      DEMO: 'false',
    });
    assert.equal(added.status, 0, added.stderr);
    const invalid = npmRun(['admin', '--', 'add-organization', '{"id":"bad id"}'], { DATA_DIR: dataDir, DEMO: 'false' });
    assert.notEqual(invalid.status, 0);
    assert.match(invalid.stderr, /invalid input/);
    const server = await startServer({ DATA_DIR: dataDir, DEMO: 'false' });
    try {
      const refused = npmRun(['token', '--', 'dr-smith'], { DATA_DIR: dataDir, DEMO: 'false' });
      assert.notEqual(refused.status, 0);
      assert.equal(refused.stdout, '');
      const asAdmin = (token: string, url: string) => fetch(`${server.base}${url}`, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual((await (await asAdmin(adminToken, '/api/consent?patientId=Patient/ePatient-8675309')).json()).grants, []);
      const organizations = await (await asAdmin(adminToken, '/api/admin/organizations')).json();
      assert.deepEqual(
        organizations.map((org: { id: string }) => org.id),
        ['valley-practice'],
        'no demo directory; what the CLI added',
      );
      const key = await loadSigningKey({ dataDir });
      const stranger = await mintToken(
        key,
        { sub: 'not-an-admin', roles: ['admin'] },
        { issuer: 'referral-hub', audience: 'referral-hub-api', ttlSeconds: 60 },
      );
      const refusedStranger = await asAdmin(stranger, '/api/admin/organizations');
      assert.equal(refusedStranger.status, 403);
      assert.equal((await refusedStranger.json()).code, 'ADMINISTRATOR_NOT_IN_DIRECTORY');
    } finally {
      await stop(server.child);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

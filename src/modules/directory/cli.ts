// `npm run admin -- <command>`: the directory's administration from the command line, over the same
// use cases and schemas as /api/admin, plus `bootstrap` (the first administrator of a new install)
// and `token` (an admin token signed with the instance key).
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { SigningKey } from '../../platform/keys.js';
import type { Database } from '../../database.js';
import { createValidatorCompiler } from '../../platform/validation.js';
import type { Caller } from '../identity/caller.js';
import { mintToken } from '../identity/tokens.js';
import { bootstrapAdministrator } from './administrators.js';
import * as S from './schemas.js';
import { createDirectoryService, type DirectoryService } from './service.js';

const ADMIN_TOKEN_TTL_SECONDS = 12 * 3600;

export interface AdminCliDeps {
  db: Kysely<Database>;
  clock: Clock;
  signingKey: SigningKey;
  jwt: { issuer: string; audience: string };
  publicBaseUrl: string;
}

type Command = { usage: string; run(service: DirectoryService, caller: Caller, args: string[]): Promise<unknown> };

const validate = createValidatorCompiler();
/** Parses a JSON argument and checks it against the route's schema, naming the field at fault. */
function body<T>(schema: object, text: string | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new Error('expected a JSON object as the last argument');
  }
  const check = validate({ schema, httpPart: 'body' } as never) as ((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] };
  if (!check(value)) throw new Error(`invalid input: ${check.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  return value as T;
}

const COMMANDS: Record<string, Command> = {
  'list-organizations': { usage: '', run: (s, c) => s.listOrganizations(c) },
  'add-organization': {
    usage: `'{"id":"…","name":"…","partOf":"Organization/…"}'`,
    run: (s, c, [json]) => s.saveOrganization(c, body(S.CreateOrganizationBody, json)),
  },
  'update-organization': { usage: `<id> '{"active":false}'`, run: (s, c, [id, json]) => s.updateOrganization(c, id!, body(S.UpdateOrganizationBody, json)) },
  'list-practitioners': { usage: '', run: (s, c) => s.listPractitioners(c) },
  'add-practitioner': { usage: `'{"id":"…","name":"…"}'`, run: (s, c, [json]) => s.savePractitioner(c, body(S.CreatePractitionerBody, json)) },
  'update-practitioner': { usage: `<id> '{"active":false}'`, run: (s, c, [id, json]) => s.updatePractitioner(c, id!, body(S.UpdatePractitionerBody, json)) },
  'add-role': {
    usage: `<practitioner-id> '{"organization":"Organization/…","role":"referrer|receiver|admin"}'`,
    run: (s, c, [id, json]) => s.addRole(c, id!, body(S.AddRoleBody, json)),
  },
  'set-role-active': { usage: '<role-id> true|false', run: (s, c, [id, active]) => s.setRoleActive(c, id!, active === 'true') },
  'list-apps': { usage: '', run: (s, c) => s.listApps(c) },
  'register-app': {
    usage: `'{"clientId":"…","name":"…","organization":"Organization/…","redirectUris":["https://…"],"resourceTypes":["Observation"],"confidential":true}'`,
    run: (s, c, [json]) => s.registerApp(c, body(S.RegisterAppBody, json)),
  },
  'update-app': { usage: `<client-id> '{"active":false}'`, run: (s, c, [id, json]) => s.updateApp(c, id!, body(S.UpdateAppBody, json)) },
  'rotate-secret': { usage: '<client-id>', run: (s, c, [id]) => s.rotateAppSecret(c, id!) },
  'list-patients': { usage: '', run: (s, c) => s.listPatientAccounts(c) },
  'invite-patient': { usage: `'{"username":"…","patientId":"Patient/…"}'`, run: (s, c, [json]) => s.invitePatient(c, body(S.CreatePatientAccountBody, json)) },
  'patient-link': { usage: '<username>', run: (s, c, [username]) => s.issueAccountLink(c, username!) },
  'set-patient-state': {
    usage: '<username> active|disabled',
    run: (s, c, [username, state]) => s.setPatientAccountState(c, username!, state === 'active' ? 'active' : 'disabled'),
  },
  import: { usage: '<bundle.json>', run: async (s, c, [file]) => s.importDirectory(c, JSON.parse(await readFile(file!, 'utf8'))) },
};

export function adminUsage(): string {
  return [
    'Usage: npm run admin -- <command> [arguments]',
    '  bootstrap [username]   the first administrator of a new install, and a token for them',
    '  token <username>       an admin token (12 h) for an administrator',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name} ${command.usage}`),
  ].join('\n');
}

/** Runs one command; what it prints. Throws with a message for the operator when the command fails. */
export async function runAdminCommand(deps: AdminCliDeps, [name, ...args]: string[]): Promise<string> {
  const mint = (username: string) =>
    mintToken(deps.signingKey, { sub: username, roles: ['admin'] }, { ...deps.jwt, ttlSeconds: ADMIN_TOKEN_TTL_SECONDS, now: deps.clock.now() });
  if (name === 'bootstrap') {
    const username = args[0] ?? 'admin';
    await bootstrapAdministrator(deps, username);
    return [
      `Administrator "${username}" created. An admin token, valid 12 hours:`,
      await mint(username),
      'Use it as:  curl -H "Authorization: Bearer <token>" <base>/api/admin/organizations',
      `A new one later:  npm run --silent admin -- token ${username}`,
    ].join('\n');
  }
  if (name === 'token') {
    const known =
      args[0] && (await deps.db.selectFrom('administrator').select('username').where('username', '=', args[0]).where('active', '=', true).executeTakeFirst());
    if (!known) throw new Error(`"${args[0] ?? ''}" is not an active administrator of this instance`);
    return mint(known.username);
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) throw new Error(adminUsage());
  const service = createDirectoryService(deps);
  const result = await command.run(service, { sub: 'cli:admin', roles: ['admin'] }, args);
  return JSON.stringify(result, null, 2);
}

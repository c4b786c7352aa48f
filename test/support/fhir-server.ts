// An independent FHIR R4 server for upstream-mode tests, standing in for HAPI: @medplum/fhir-router's
// REST semantics over its in-memory repository, served over HTTP by this small process. Writes are
// appended to a journal file and replayed on start, so the server keeps its data across a restart.
// Given a client secret, it also runs an OAuth2 client-credentials token endpoint at /token (for the
// client `referral-hub`) and requires its bearer tokens on /fhir.
//   node --import tsx test/support/fhir-server.ts <port> <journal-file> [client-secret]
import '../../src/platform/node-globals.js';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { getStatus, normalizeOperationOutcome } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { FhirRouter, MemoryRepository, type HttpMethod } from '@medplum/fhir-router';
import { loadFhirDefinitions } from '../../src/modules/fhir/definitions.js';

const [port, journal, clientSecret] = [Number(process.argv[2]), process.argv[3]!, process.argv[4]];
const issuedTokens = new Set<string>();
loadFhirDefinitions();
const repo = new MemoryRepository();
const router = new FhirRouter();

if (existsSync(journal)) {
  for (const line of readFileSync(journal, 'utf8').split('\n').filter(Boolean)) await repo.updateResource(JSON.parse(line) as Resource & { id: string });
}

/** Client credentials (RFC 6749 §4.4) with HTTP Basic client authentication. */
function issueToken(authorization: string | undefined, form: URLSearchParams): { status: number; body: object } {
  const expected = `Basic ${Buffer.from(`referral-hub:${clientSecret}`).toString('base64')}`;
  if (authorization !== expected) return { status: 401, body: { error: 'invalid_client' } };
  if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
  const token = randomBytes(24).toString('base64url');
  issuedTokens.add(token);
  return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') ?? 'system/*.*' } };
}

const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (clientSecret && request.url === '/token' && request.method === 'POST') {
    const { status, body } = issueToken(request.headers.authorization, new URLSearchParams(text));
    return void response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  }
  if (clientSecret && !issuedTokens.has(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '')) {
    return void response
      .writeHead(401, { 'content-type': 'application/fhir+json' })
      .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'Bearer token required' }] }));
  }
  const body = text ? JSON.parse(text) : undefined;
  const url = (request.url ?? '/').replace(/^\/fhir\/?/, '');
  let status: number;
  let resource: Resource;
  try {
    const [outcome, result] = await router.handleRequest(
      { method: request.method as HttpMethod, url, pathname: '', params: {}, query: {}, body, headers: request.headers },
      repo,
    );
    status = getStatus(outcome);
    resource = result ?? outcome;
    if (request.method === 'PUT' && status < 300) appendFileSync(journal, `${JSON.stringify(resource)}\n`);
  } catch (error) {
    resource = normalizeOperationOutcome(error);
    status = getStatus(resource as never);
  }
  response.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(resource));
});
server.listen(port, '127.0.0.1', () => console.log(`FHIR server listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

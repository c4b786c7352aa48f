// An independent FHIR R4 server for upstream-mode tests, standing in for HAPI: @medplum/fhir-router's
// REST semantics over its in-memory repository, served over HTTP by this small process. Writes are
// appended to a journal file and replayed on start, so the server keeps its data across a restart.
//   node --import tsx test/support/fhir-server.ts <port> <journal-file>
import '../../src/platform/node-globals.js';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { getStatus, normalizeOperationOutcome } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { FhirRouter, MemoryRepository, type HttpMethod } from '@medplum/fhir-router';
import { loadFhirDefinitions } from '../../src/modules/fhir/definitions.js';

const [port, journal] = [Number(process.argv[2]), process.argv[3]!];
loadFhirDefinitions();
const repo = new MemoryRepository();
const router = new FhirRouter();

if (existsSync(journal)) {
  for (const line of readFileSync(journal, 'utf8').split('\n').filter(Boolean)) await repo.updateResource(JSON.parse(line) as Resource & { id: string });
}

const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
  const url = (request.url ?? '/').replace(/^\/fhir\/?/, '');
  let status: number;
  let resource: Resource;
  try {
    const [outcome, result] = await router.handleRequest({ method: request.method as HttpMethod, url, pathname: '', params: {}, query: {}, body, headers: request.headers }, repo);
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

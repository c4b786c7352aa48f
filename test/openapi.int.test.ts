// The OpenAPI document says exactly what the service does, and is a valid OpenAPI 3 document
// (@apidevtools/swagger-parser): headers only where honoured, the ETag, every error code, named
// components, an operationId for every operation, and the error answers of authenticated routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ERROR_CODES } from '../src/platform/errors.js';
import { testEngines } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';

describe('the OpenAPI document', () => {
  const [engine] = testEngines();
  let hub: Harness;
  let document: any;
  before(async () => {
    hub = await startHarness(engine!, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    document = (await hub.request('GET', '/docs/json')).body;
  });
  after(() => hub.close());

  const operation = (method: string, path: string) => document.paths[path][method];
  const headerNames = (op: any) =>
    (op.parameters ?? [])
      .filter((p: any) => p.in === 'header')
      .map((p: any) => p.name)
      .sort();

  it('validates as OpenAPI 3', async () => {
    await SwaggerParser.validate(structuredClone(document));
  });

  it('names every operation, uniquely', () => {
    const ids = Object.values(document.paths).flatMap((methods: any) => Object.values(methods).map((op: any) => op.operationId));
    assert.ok(ids.every(Boolean), 'every operation has an operationId');
    assert.equal(new Set(ids).size, ids.length);
  });

  it('advertises Idempotency-Key and If-Match only where they are honoured, and the ETag', () => {
    assert.deepEqual(headerNames(operation('post', '/api/referrals')), ['idempotency-key']);
    assert.deepEqual(headerNames(operation('post', '/api/referrals/{id}/send')), ['idempotency-key', 'if-match']);
    assert.deepEqual(headerNames(operation('patch', '/api/referrals/{id}')), ['if-match']);
    assert.deepEqual(headerNames(operation('post', '/api/referrals/{id}/revoke')), ['if-match']);
    assert.deepEqual(headerNames(operation('patch', '/api/referrals/{id}/tasks/{taskId}')), ['if-match']);
    assert.ok(operation('get', '/api/referrals/{id}').responses['200'].headers.etag);
  });

  it('lists every error code, and the error answers of every authenticated operation', () => {
    assert.deepEqual(document.components.schemas.Error.properties.code.enum, [...ERROR_CODES]);
    for (const [path, methods] of Object.entries(document.paths) as [string, any][]) {
      if (!path.startsWith('/api')) continue;
      for (const op of Object.values(methods) as any[])
        for (const status of ['400', '401', '403', '429']) assert.ok(op.responses[status], `${op.operationId} ${status}`);
    }
  });

  it('names its schemas as components', () => {
    for (const name of ['Referral', 'Task', 'ConsentGrant', 'Organization', 'FacilityApp', 'Error']) assert.ok(document.components.schemas[name], name);
    assert.equal(operation('get', '/api/referrals/{id}').responses['200'].content['application/json'].schema.$ref, '#/components/schemas/Referral');
  });
});

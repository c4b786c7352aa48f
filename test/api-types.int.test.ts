// The clinician web app's API types are generated from the service's OpenAPI document: this fails
// when the committed file (web/src/api/schema.d.ts) no longer matches what the service serves.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { API_TYPES_FILE, apiTypes, currentApiDocument } from '../scripts/api-types.js';

it("the web app's API types match the service's OpenAPI document (else run `npm run api:types`)", async () => {
  const committed = await readFile(API_TYPES_FILE, 'utf8');
  assert.ok(committed === (await apiTypes(await currentApiDocument())), 'web/src/api/schema.d.ts is stale: run `npm run api:types` and commit it');
});

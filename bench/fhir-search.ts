// FHIR search on the embedded store with 100k resources: loads Observations for 1,000 patients,
// then times each supported kind of search through the same repository /fhir uses.
//   npm run bench:search                     (PGlite in a temporary folder)
//   DATABASE_URL=postgres://… npm run bench:search -- --resources 100000
import '../src/platform/node-globals.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseSearchRequest } from '@medplum/core';
import type { Observation } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import { loadFhirDefinitions } from '../src/modules/fhir/definitions.js';
import { PgFhirRepository } from '../src/modules/fhir/store.js';
import { openDatabase } from '../src/database.js';
import { migrate } from '../src/platform/migrate.js';
import { percentile, withScratchDatabase } from './support.js';

const { values } = parseArgs({ options: { resources: { type: 'string', default: '100000' }, runs: { type: 'string', default: '50' } } });
const total = Number(values.resources);
const runs = Number(values.runs);
const PATIENTS = 1000;

function observation(i: number): Observation & { id: string } {
  return {
    resourceType: 'Observation',
    id: `bench-obs-${i}`,
    status: i % 10 === 0 ? 'amended' : 'final',
    identifier: [{ system: 'urn:bench', value: `obs-${i}` }],
    code: { coding: [{ system: 'http://loinc.org', code: '89579-7' }] },
    subject: { reference: `Patient/bench-patient-${i % PATIENTS}` },
    effectiveDateTime: '2025-07-01T09:30:00Z',
    valueQuantity: { value: i % 100, unit: 'ng/L' },
  };
}

async function measure(engine: string, url?: string) {
  const dataDir = url ? undefined : await mkdtemp(path.join(tmpdir(), 'rh-search-'));
  const handle = await openDatabase({ url, dataDir, poolSize: 4 });
  try {
    await migrate(handle);
    loadFhirDefinitions();
    const repo = new PgFhirRepository(handle.db, 'http://localhost:8080/fhir');
    const loadStarted = performance.now();
    for (let start = 0; start < total; start += 1000) {
      await repo.storeAll(Array.from({ length: Math.min(1000, total - start) }, (_, k) => observation(start + k)));
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await sql`ANALYZE fhir_resource`.execute(handle.db);
    console.log(`\n${engine}: loaded ${total} Observations in ${loadSeconds.toFixed(1)} s (${(total / loadSeconds).toFixed(0)}/s)`);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const queries = [
      `Observation?patient=Patient/bench-patient-${PATIENTS / 2}`,
      `Observation?_id=bench-obs-${total / 2}`,
      `Observation?identifier=urn:bench|obs-${Math.floor(total / 3)}`,
      'Observation?status=amended&_count=20',
      `Observation?patient=bench-patient-7&status=final`,
      `Observation?_lastUpdated=ge${since}&_count=20`,
      'Observation?_count=20&_offset=5000',
    ];
    for (const query of queries) {
      const request = parseSearchRequest(query);
      const times: number[] = [];
      let matches = 0;
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const bundle = await repo.search(request);
        times.push(performance.now() - started);
        matches = bundle.total ?? 0;
      }
      times.sort((a, b) => a - b);
      console.log(
        `${engine}:   ${query.padEnd(60)} total ${String(matches).padStart(6)}  p50 ${percentile(times, 50).toFixed(1)} ms  p99 ${percentile(times, 99).toFixed(1)} ms`,
      );
    }
  } finally {
    await handle.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.env.DATABASE_URL) await withScratchDatabase(process.env.DATABASE_URL, (url) => measure('postgres', url));
else await measure('pglite');

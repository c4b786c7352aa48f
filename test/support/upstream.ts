// Starts and stops the independent FHIR server (test/support/fhir-server.ts) as its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface UpstreamFhirServer {
  baseUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  get<T = any>(path: string): Promise<{ status: number; body: T }>;
}

export async function upstreamFhirServer(): Promise<UpstreamFhirServer> {
  const port = await freePort();
  const journal = path.join(mkdtempSync(path.join(tmpdir(), 'rh-fhir-')), 'journal.ndjson');
  const baseUrl = `http://127.0.0.1:${port}/fhir`;
  let child: ChildProcess | undefined;
  return {
    baseUrl,
    async start() {
      child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fhir-server.ts', String(port), journal], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child!.stdout!.on('data', (data: Buffer) => data.toString().includes('listening') && resolve());
        child!.once('exit', (code) => reject(new Error(`FHIR server exited with ${code}`)));
      });
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
    async get(resourcePath: string) {
      const response = await fetch(`${baseUrl}/${resourcePath}`);
      return { status: response.status, body: await response.json() };
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

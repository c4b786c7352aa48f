// Starts and stops the independent FHIR server (test/support/fhir-server.ts) as its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface UpstreamFhirServer {
  baseUrl: string;
  /** The client-credentials token endpoint, when the server was started with a client secret. */
  tokenUrl?: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  get<T = any>(path: string): Promise<{ status: number; body: T }>;
}

/** The server; with `clientSecret` it wants bearer tokens issued to the client `referral-hub`. */
export async function upstreamFhirServer(options: { clientSecret?: string } = {}): Promise<UpstreamFhirServer> {
  const port = await freePort();
  const journal = path.join(mkdtempSync(path.join(tmpdir(), 'rh-fhir-')), 'journal.ndjson');
  const baseUrl = `http://127.0.0.1:${port}/fhir`;
  const tokenUrl = options.clientSecret ? `http://127.0.0.1:${port}/token` : undefined;
  let child: ChildProcess | undefined;
  const authorization = async (): Promise<Record<string, string>> => {
    if (!tokenUrl) return {};
    const basic = Buffer.from(`referral-hub:${options.clientSecret}`).toString('base64');
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    return { authorization: `Bearer ${((await response.json()) as { access_token: string }).access_token}` };
  };
  return {
    baseUrl,
    tokenUrl,
    async start() {
      const args = ['--import', 'tsx', 'test/support/fhir-server.ts', String(port), journal, ...(options.clientSecret ? [options.clientSecret] : [])];
      child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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
      const response = await fetch(`${baseUrl}/${resourcePath}`, { headers: await authorization() });
      return { status: response.status, body: await response.json() };
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The platform under test, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
    /** Everything the server printed so far when the tests started (demo accounts ...). */
    serverOutput: string;
    /** A file the server's output keeps being appended to while the tests run (SMS codes of the demo gateway ...). */
    serverLogFile: string;
  }
}

/**
 * Starts `tongban start` as a person would (fresh data folder, embedded database, demo
 * city seeded on first start, the built web app served at `/`) and stops it after the run.
 * The server's log goes to test/browser/artifacts/server.log for CI to keep.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tongban-browser-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    // Several test files sign the same demo citizens in by SMS, in an order vitest chooses:
    // the one-minute resend interval and five-an-hour cap (tested on their own in e2e) would
    // refuse a later file's code.
    SMS_RESEND_SECONDS: '1',
    SMS_MAX_PER_HOUR: '1000',
  };
  delete env.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, ['bin/tongban.js', 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const logFile = path.join(dataDir, 'server-output.log');
  const record = (chunk: Buffer) => {
    output += chunk.toString();
    appendFileSync(logFile, chunk);
  };
  child.stderr!.on('data', record);
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      record(chunk);
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`tongban start exited with ${code}:\n${output}`)));
  });
  // The demo accounts are printed just after the URL.
  await new Promise((resolve) => setTimeout(resolve, 300));
  project.provide('baseUrl', baseUrl);
  project.provide('serverOutput', output);
  project.provide('serverLogFile', logFile);
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    mkdirSync('test/browser/artifacts', { recursive: true });
    writeFileSync('test/browser/artifacts/server.log', output);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

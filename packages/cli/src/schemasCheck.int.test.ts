import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMAS } from '@supportstream/events';
import { stackConfig, testLogger } from '@supportstream/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { schemasCheckCommand } from './commands.js';

const repoSchemas = resolve(dirname(fileURLToPath(import.meta.url)), '../../../schemas');
const temporaryDirs: string[] = [];

/** A throwaway git repository holding a copy of the schemas, committed once. */
function repoWithCommittedSchemas(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schemas-check-'));
  temporaryDirs.push(dir);
  cpSync(repoSchemas, join(dir, 'schemas'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'schemas v1');
  return dir;
}

function editRequestData(dir: string, addField: Record<string, unknown>): void {
  const path = join(dir, 'schemas/customer.requests/RequestReceived.avsc');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as { fields: { name: string; type: { fields: unknown[] } }[] };
  schema.fields.find((field) => field.name === 'data')?.type.fields.push(addField);
  writeFileSync(path, JSON.stringify(schema, null, 2));
}

async function check(dir: string): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await schemasCheckCommand(
    { config: stackConfig(), logger: testLogger(), print: (line) => lines.push(line) },
    { dir: join(dir, 'schemas'), history: true, registry: false },
  );
  return { code, output: lines.join('\n') };
}

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('schemas check', () => {
  it('passes when the working tree equals the committed schemas', async () => {
    const { code, output } = await check(repoWithCommittedSchemas());
    expect(output).toContain(`checked against ${EVENT_SCHEMAS.length} committed version(s) from 1 commit(s)`);
    expect(code).toBe(0);
  });

  it('accepts a new optional field with a default', async () => {
    const dir = repoWithCommittedSchemas();
    editRequestData(dir, { name: 'priorityHint', type: ['null', 'string'], default: null });
    expect((await check(dir)).code).toBe(0);
  });

  it('fails on a deliberately incompatible change: a new required field without a default', async () => {
    const dir = repoWithCommittedSchemas();
    editRequestData(dir, { name: 'accountNumber', type: 'string' });
    const { code, output } = await check(dir);
    expect(code).toBe(1);
    expect(output).toContain('INCOMPATIBLE customer.requests-io.supportstream.events.RequestReceived');
    expect(output).toContain('1 incompatible schema(s)');
  });
});

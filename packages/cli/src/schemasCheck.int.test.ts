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

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const REQUEST_SCHEMA = 'schemas/customer.requests/RequestReceived.avsc';
const REQUEST_SUBJECT = 'customer.requests-io.supportstream.events.RequestReceived';

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
}

/** Commits the working tree; returns the commit's short hash as the check prints it (10 characters). */
function commit(dir: string, message: string): string {
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', message);
  return gitIn(dir, 'rev-parse', 'HEAD').trim().slice(0, 10);
}

/** A throwaway git repository holding a copy of the schemas, committed once. */
function repoWithCommittedSchemas(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schemas-check-'));
  temporaryDirs.push(dir);
  cpSync(repoSchemas, join(dir, 'schemas'), { recursive: true });
  gitIn(dir, 'init', '-q');
  commit(dir, 'schemas v1');
  return dir;
}

type EventSchemaFile = { fields: { name: string; type: { fields: Record<string, unknown>[] } }[] };

/** Rewrites an event's data fields in the working tree. */
function editDataFields(dir: string, schemaPath: string, edit: (fields: Record<string, unknown>[]) => Record<string, unknown>[]): void {
  const path = join(dir, schemaPath);
  const schema = JSON.parse(readFileSync(path, 'utf8')) as EventSchemaFile;
  const data = schema.fields.find((field) => field.name === 'data');
  if (!data) throw new Error(`${schemaPath} has no data field`);
  data.type.fields = edit(data.type.fields);
  writeFileSync(path, JSON.stringify(schema, null, 2));
}

function editRequestFields(dir: string, edit: (fields: Record<string, unknown>[]) => Record<string, unknown>[]): void {
  editDataFields(dir, REQUEST_SCHEMA, edit);
}

function editRequestData(dir: string, addField: Record<string, unknown>): void {
  editRequestFields(dir, (fields) => [...fields, addField]);
}

/**
 * v2 adds `priorityHint` with a default; v3 drops the default. v3 reads v2's records (they all
 * carry the field) but not v1's (they lack it, and there is no default): BACKWARD against v2,
 * not BACKWARD_TRANSITIVE.
 */
const PRIORITY_V2 = { name: 'priorityHint', type: 'string', default: 'normal' };
const PRIORITY_V3 = { name: 'priorityHint', type: 'string' };
const withPriority = (field: Record<string, unknown>) => (fields: Record<string, unknown>[]) => [...fields.filter((candidate) => candidate['name'] !== 'priorityHint'), field];

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

  it('fails when the schema is compatible with the previous commit only: three commits, v3 against v2 and v1', async () => {
    const dir = repoWithCommittedSchemas();
    editRequestFields(dir, withPriority(PRIORITY_V2));
    commit(dir, 'schemas v2');
    editRequestFields(dir, withPriority(PRIORITY_V3));
    commit(dir, 'schemas v3');
    const { code, output } = await check(dir);
    expect(output).toContain(`checked against ${EVENT_SCHEMAS.length + 2} committed version(s) from 3 commit(s)`);
    expect(output).toContain(`INCOMPATIBLE ${REQUEST_SUBJECT} (against 3 earlier version(s) from git history)`);
    expect(output).toContain('1 incompatible schema(s)');
    expect(code).toBe(1);
  });

  it('passes the same v3 when the history starts at v2: the failure above is v1\'s, the check is transitive', async () => {
    const dir = repoWithCommittedSchemas();
    editRequestFields(dir, withPriority(PRIORITY_V2));
    gitIn(dir, 'checkout', '-q', '--orphan', 'from-v2');
    commit(dir, 'schemas v2 (no earlier history)');
    editRequestFields(dir, withPriority(PRIORITY_V3));
    commit(dir, 'schemas v3');
    const { code, output } = await check(dir);
    expect(output).toContain(`checked against ${EVENT_SCHEMAS.length + 1} committed version(s) from 2 commit(s)`);
    expect(output).not.toContain('INCOMPATIBLE');
    expect(code).toBe(0);
  });

  it('reports a commit whose schema is not JSON and skips it, without losing the versions around it', async () => {
    const dir = repoWithCommittedSchemas();
    writeFileSync(join(dir, REQUEST_SCHEMA), '{ "type": "record", "name": "RequestReceived", ');
    const broken = commit(dir, 'a half-written schema');
    // The fix: back to v1 plus the optional field, compatible with every readable version.
    gitIn(dir, 'checkout', '-q', 'HEAD~1', '--', REQUEST_SCHEMA);
    editRequestFields(dir, withPriority(PRIORITY_V2));
    commit(dir, 'schemas v2');
    const passed = await check(dir);
    expect(passed.output).toContain(`skipped an unreadable historical commit ${broken}: customer.requests/RequestReceived.avsc: not valid JSON`);
    expect(passed.output).toContain(`checked against ${EVENT_SCHEMAS.length + 1} committed version(s) from 3 commit(s)`);
    expect(passed.code).toBe(0);

    // v3 is BACKWARD with v2; it fails only because v1, older than the broken commit, still counts.
    editRequestFields(dir, withPriority(PRIORITY_V3));
    const failed = await check(dir);
    expect(failed.output).toContain(`INCOMPATIBLE ${REQUEST_SUBJECT} (against 2 earlier version(s) from git history)`);
    expect(failed.code).toBe(1);
  });

  it('reports a schema that is JSON but not Avro (an unknown type; an invalid default) and skips that version only', async () => {
    const dir = repoWithCommittedSchemas();
    editRequestData(dir, { name: 'priorityHint', type: 'strnig', default: 'normal' });
    const unknownType = commit(dir, 'a typo in a type name');
    // Composes (the names resolve), but avsc refuses it and so would the registry (a 422 naming a scratch subject).
    editRequestFields(dir, withPriority({ name: 'priorityHint', type: 'int', default: 'normal' }));
    // A valid change in the same commit: that version was publishable and still counts.
    editDataFields(dir, 'schemas/notifications.outbound/ReplyReady.avsc', (fields) => [...fields, { name: 'replyHint', type: ['null', 'string'], default: null }]);
    const invalidDefault = commit(dir, 'an int field with a string default');
    editRequestFields(dir, withPriority(PRIORITY_V2));
    commit(dir, 'schemas v2');
    const { code, output } = await check(dir);
    expect(output).toContain(`skipped an unreadable historical commit ${unknownType}: customer.requests/RequestReceived.avsc: unknown type "strnig"`);
    expect(output).toContain(`skipped an unreadable historical commit ${invalidDefault}: customer.requests/RequestReceived.avsc: not valid Avro (`);
    // v1 of every event, the ReplyReady with replyHint, RequestReceived v2.
    expect(output).toContain(`checked against ${EVENT_SCHEMAS.length + 2} committed version(s) from 4 commit(s)`);
    expect(output).not.toContain('INCOMPATIBLE');
    expect(code).toBe(0);
  });
});

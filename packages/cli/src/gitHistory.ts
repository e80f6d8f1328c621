import { execFile } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { composeEventSchemas, parseAvro, type SchemaFile } from '@supportstream/events';

const run = promisify(execFile);

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export interface SchemaHistory {
  /** subject -> distinct earlier schemas, oldest first */
  readonly versions: Map<string, unknown[]>;
  readonly commits: number;
  readonly skipped: readonly string[];
}

/**
 * Every committed version of every event schema, read from the first-parent history of the
 * current branch: once a schema version is on the main line it counts as published.
 * Returns undefined when the folder is not inside a git work tree.
 */
export async function readSchemaHistory(schemasDir: string): Promise<SchemaHistory | undefined> {
  const dir = resolve(schemasDir);
  let root: string;
  try {
    root = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    return undefined;
  }
  const relativeDir = relative(root, dir).split('\\').join('/');
  const commits = (await git(root, ['log', '--first-parent', '--reverse', '--format=%H', '--', relativeDir])).split('\n').filter(Boolean);
  const versions = new Map<string, unknown[]>();
  const seen = new Map<string, Set<string>>();
  const skipped: string[] = [];
  for (const commit of commits) {
    const paths = (await git(root, ['ls-tree', '-r', '--name-only', commit, '--', relativeDir])).split('\n').filter((path) => path.endsWith('.avsc'));
    const files: SchemaFile[] = [];
    for (const path of paths) {
      files.push({ path: path.slice(relativeDir.length + 1), content: await git(root, ['show', `${commit}:${path}`]) });
    }
    let definitions;
    try {
      definitions = composeEventSchemas(files);
    } catch (error) {
      skipped.push(`${commit.slice(0, 10)}: ${(error as Error).message}`);
      continue;
    }
    for (const definition of definitions) {
      // JSON that composes but is not Avro (an invalid default, a repeated enum symbol) could never
      // have been registered, so it published nothing; the registry would only refuse it later,
      // naming a scratch subject instead of the commit. The commit's other schemas still count.
      try {
        parseAvro(definition.schema);
      } catch (error) {
        skipped.push(`${commit.slice(0, 10)}: ${definition.topic}/${definition.eventType}.avsc: not valid Avro (${(error as Error).message}); the commit's other schemas are kept`);
        continue;
      }
      const text = JSON.stringify(definition.schema);
      const subjectSeen = seen.get(definition.subject) ?? new Set<string>();
      if (subjectSeen.has(text)) continue;
      subjectSeen.add(text);
      seen.set(definition.subject, subjectSeen);
      versions.set(definition.subject, [...(versions.get(definition.subject) ?? []), definition.schema]);
    }
  }
  return { versions, commits: commits.length, skipped };
}

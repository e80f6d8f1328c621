import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { SchemaFile } from './schemaSet.js';

/** Reads every `.avsc` below a schemas folder, with paths relative to it. */
export async function readSchemaDir(dir: string): Promise<SchemaFile[]> {
  const files: SchemaFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.avsc')) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ path: relative(dir, path).split('\\').join('/'), content: await readFile(path, 'utf8') });
  }
  return files;
}

// Build step: composes schemas/*.avsc and writes the generated TypeScript into src/generated/.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSchemaDir } from '../src/schemaFiles.js';
import { composeEventSchemas } from '../src/schemaSet.js';
import { generateTypes } from '../src/typeGenerator.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemasDir = resolve(packageDir, '../../schemas');
const outDir = join(packageDir, 'src/generated');

const definitions = composeEventSchemas(await readSchemaDir(schemasDir));
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'types.ts'), generateTypes(definitions));
await writeFile(
  join(outDir, 'eventSchemas.ts'),
  [
    '// Generated from schemas/*.avsc by packages/events/scripts/generate.ts. Do not edit.',
    "import type { EventSchemaDefinition } from '../schemaSet.js';",
    '',
    `export const EVENT_SCHEMAS: readonly EventSchemaDefinition[] = ${JSON.stringify(definitions, null, 2)};`,
    '',
  ].join('\n'),
);
console.log(`generated types for ${definitions.length} event schemas from ${relative(process.cwd(), schemasDir) || '.'}`);

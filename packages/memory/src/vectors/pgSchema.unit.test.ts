import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PG_VECTOR_SCHEMA_SQL } from './pgSchema.js';

describe('PG_VECTOR_SCHEMA_SQL', () => {
  it('is the DDL the README documents for the migration', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`sql\n${PG_VECTOR_SCHEMA_SQL.trim()}\n\`\`\``);
  });

  it('only creates, never drops or alters, so it is safe to run on every start', () => {
    expect(PG_VECTOR_SCHEMA_SQL).not.toMatch(/\b(DROP|ALTER|TRUNCATE)\b/i);
    for (const statement of PG_VECTOR_SCHEMA_SQL.split(';').map((s) => s.trim()).filter(Boolean)) expect(statement).toMatch(/^CREATE \w+( \w+)? IF NOT EXISTS/);
  });
});

#!/usr/bin/env node
// Knowledge-base ingest command: markdown → chunks → embeddings → vector store.
//   npm run ingest -w @supportstream/memory -- [--dir knowledge] [--tenant <id>] [--collection <name>]
// The store and embedder come from the environment (see the package README); DATABASE_URL is
// needed for the PostgreSQL-backed store.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, errorCode, errorMessage } from '@supportstream/errors';
import pg from 'pg';
import { embedderFromConfig, loadMemoryConfig, vectorStoreFromConfig } from '../config.js';
import { ingestKnowledge } from '../knowledge/ingestKnowledge.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, tenant: { type: 'string' }, collection: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write('usage: ingest-knowledge [--dir knowledge] [--tenant <tenantId>] [--collection <name>]\n');
    return;
  }
  const config = loadMemoryConfig();
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream';
  if (!/^postgres(ql)?:/.test(databaseUrl)) throw new ConfigError('DATABASE_URL: must be a postgres:// URL');
  // npm runs workspace scripts in the package folder; paths are meant relative to where it was invoked.
  const dir = resolve(process.env['INIT_CWD'] ?? process.cwd(), values.dir ?? process.env['KNOWLEDGE_DIR'] ?? 'knowledge');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const started = Date.now();
    const result = await ingestKnowledge({
      dir,
      store: vectorStoreFromConfig(config, { pool }),
      embedder: embedderFromConfig(config),
      collection: values.collection ?? config.KNOWLEDGE_COLLECTION,
      ...(values.tenant === undefined ? {} : { tenantId: values.tenant }),
    });
    process.stdout.write(`${JSON.stringify({ dir, ...result, ms: Date.now() - started })}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest failed [${errorCode(error)}]: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Audience } from '@supportstream/domain';
import { InvalidInputError } from '@supportstream/errors';
import type { Embedder } from '../embeddings/embedder.js';
import type { VectorDocument, VectorStore } from '../vectors/vectorStore.js';
import { chunkMarkdown, type MarkdownChunk } from './chunkMarkdown.js';
import { KNOWLEDGE_COLLECTION, KNOWLEDGE_KIND, SHARED_TENANT } from './payloads.js';

export interface IngestKnowledgeOptions {
  /** Folder of markdown files (`.md`, `.markdown`), read recursively; hidden entries and READMEs are skipped. */
  readonly dir: string;
  readonly store: VectorStore;
  readonly embedder: Embedder;
  readonly collection?: string;
  /** Knowledge of one tenant; without it the knowledge is shared by all tenants. */
  readonly tenantId?: string;
  readonly maxChars?: number;
  /** Chunks embedded and upserted per round (default 64). */
  readonly batchSize?: number;
  /**
   * An empty folder would delete every chunk of this scope, which is far more often a wrong path
   * than an intention; refused unless this is set.
   */
  readonly allowEmpty?: boolean;
}

export interface IngestResult {
  readonly files: number;
  readonly chunks: number;
  /** New or changed chunks, embedded and written. */
  readonly embedded: number;
  /** Chunks whose text and embedder were unchanged: not embedded again. */
  readonly unchanged: number;
  /** Chunks of removed files or sections, deleted. */
  readonly deleted: number;
}

/** Payload of a knowledge chunk in the vector store. */
export interface KnowledgePayload {
  readonly kind: typeof KNOWLEDGE_KIND;
  readonly tenantId: string;
  readonly embedder: string;
  readonly path: string;
  readonly title: string;
  readonly headings: readonly string[];
  readonly chunkIndex: number;
  readonly text: string;
  /** `agent`: a note for agents, never quoted to a customer (searchKnowledge's `audience` filter). */
  readonly audience: Audience;
  readonly contentHash: string;
}

/**
 * Markdown → chunks → embeddings → vector store, idempotently. Chunk ids are derived from the
 * scope, path, heading trail and index, so a second run rewrites nothing: unchanged chunks (same
 * text, same embedder) are not even embedded again, changed ones are replaced and chunks of
 * removed files or sections are deleted.
 */
export async function ingestKnowledge(options: IngestKnowledgeOptions): Promise<IngestResult> {
  const { store, embedder } = options;
  const collection = options.collection ?? KNOWLEDGE_COLLECTION;
  const scope = options.tenantId ?? SHARED_TENANT;
  const batchSize = options.batchSize ?? 64;
  const files = await markdownFiles(options.dir);
  if (files.length === 0 && options.allowEmpty !== true) {
    throw new InvalidInputError('KNOWLEDGE_DIR_EMPTY', `no markdown files under ${options.dir}; refusing to delete the existing knowledge (allowEmpty)`);
  }

  const documents: { id: string; chunk: MarkdownChunk; payload: KnowledgePayload }[] = [];
  for (const file of files) {
    const text = await readFile(join(options.dir, file), 'utf8');
    for (const chunk of chunkMarkdown(file, text, options.maxChars === undefined ? {} : { maxChars: options.maxChars })) {
      const payload: KnowledgePayload = {
        kind: KNOWLEDGE_KIND,
        tenantId: scope,
        embedder: embedder.id,
        path: chunk.path,
        title: chunk.title,
        headings: chunk.headings,
        chunkIndex: chunk.index,
        text: chunk.text,
        audience: chunk.audience,
        // The audience is part of what is stored: a payload written before it existed is rewritten once.
        contentHash: createHash('sha256').update(`${embedder.id}\u0000${chunk.audience}\u0000${embeddedText(chunk)}`).digest('hex').slice(0, 32),
      };
      documents.push({ id: knowledgeId(scope, chunk.id), chunk, payload });
    }
  }

  await store.ensureCollection(collection, embedder.dimensions);
  const existing = new Map(
    (await store.list(collection, { filter: { kind: KNOWLEDGE_KIND, tenantId: scope } })).map((doc) => [doc.id, doc.payload['contentHash']]),
  );
  const stale = documents.filter((doc) => existing.get(doc.id) !== doc.payload.contentHash);
  for (let start = 0; start < stale.length; start += batchSize) {
    const batch = stale.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch.map((doc) => embeddedText(doc.chunk)));
    const upserts: VectorDocument[] = batch.map((doc, i) => ({ id: doc.id, vector: vectors[i]!, payload: { ...doc.payload } }));
    await store.upsert(collection, upserts);
  }
  // Deletes come last, so a search during the ingest never lacks an article that still exists.
  const current = new Set(documents.map((doc) => doc.id));
  const removed = [...existing.keys()].filter((id) => !current.has(id));
  if (removed.length > 0) await store.delete(collection, removed);

  return { files: files.length, chunks: documents.length, embedded: stale.length, unchanged: documents.length - stale.length, deleted: removed.length };
}

/** The heading trail is embedded with the text: it often carries the words a question uses. */
function embeddedText(chunk: MarkdownChunk): string {
  return `${chunk.title}\n\n${chunk.text}`;
}

function knowledgeId(scope: string, chunkId: string): string {
  return `${encodeURIComponent(scope)}:${chunkId}`;
}

async function markdownFiles(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidInputError('KNOWLEDGE_DIR_NOT_FOUND', `${dir} is not a directory`);
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError('KNOWLEDGE_DIR_NOT_FOUND', `knowledge folder ${dir} cannot be read`, { cause: error });
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(md|markdown)$/i.test(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((part) => part.startsWith('.')))
    // A README describes the folder (how articles are written), it is no article.
    .filter((path) => !/^readme\.(md|markdown)$/i.test(path.slice(path.lastIndexOf('/') + 1)))
    .sort();
}

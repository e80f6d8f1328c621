import type { ClientBase, Connection, Submittable } from 'pg';

/**
 * `COPY ... FROM STDIN` (text format) on a node-postgres client, without pg-copy-streams: a
 * Submittable (the interface pg-cursor and pg-query-stream use) sends the prepared data when the
 * server asks for them. A rebuild loads its event rows this way: several times cheaper for
 * PostgreSQL than unpacking the same rows from a JSON parameter.
 */

/** One value in COPY's text format: `\N` for null; backslash, tab, newline and carriage return escaped. */
export function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character] ?? character) : value;
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** JSON text needs only its backslashes escaped: JSON.stringify already writes tabs and newlines in strings as escapes. */
export function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** PostgreSQL takes COPY data in messages of any size; pieces of about this many bytes keep each buffer small. */
const PIECE_BYTES = 1 << 20;

/**
 * Lines waiting to be copied, kept as Buffers of about 1 MiB (off the JS heap: thousands of
 * strings held until the copy would be promoted to the old generation and cost full GCs).
 */
export interface CopyBuffer {
  /** One row: tab-separated values from `copyText`, no newline. */
  push(line: string): void;
  readonly rows: number;
  /** The lines pushed so far, emptied. */
  take(): Buffer[];
}

export function createCopyBuffer(): CopyBuffer {
  let chunks: Buffer[] = [];
  let piece: string[] = [];
  let bytes = 0;
  let rows = 0;
  const seal = () => {
    if (piece.length === 0) return;
    piece.push('');
    chunks.push(Buffer.from(piece.join('\n')));
    piece = [];
    bytes = 0;
  };
  return {
    push(line) {
      piece.push(line);
      rows += 1;
      bytes += line.length + 1;
      if (bytes >= PIECE_BYTES) seal();
    },
    get rows() {
      return rows;
    },
    take() {
      seal();
      const taken = chunks;
      chunks = [];
      rows = 0;
      return taken;
    },
  };
}

/** The protocol messages of COPY FROM STDIN on node-postgres's connection (not in its type declarations). */
interface CopyInConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * Runs `statement` (a `COPY table (columns) FROM STDIN`) with `data` (newline-terminated lines, as
 * a CopyBuffer's `take()` gives them); resolves with the number of rows copied.
 */
export function copyLines(client: ClientBase, statement: string, data: readonly Buffer[]): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let copied = 0;
    let failed = false;
    const submittable: Submittable & Record<string, unknown> = {
      submit: (connection: Connection) => connection.query(statement),
      handleCopyInResponse: (pgConnection: Connection) => {
        const connection = pgConnection as unknown as CopyInConnection;
        for (const chunk of data) connection.sendCopyFromChunk(chunk);
        connection.endCopyFrom();
      },
      handleCommandComplete: (message: { text?: string }) => {
        copied = Number(/(\d+)$/.exec(message.text ?? '')?.[1] ?? 0);
      },
      handleReadyForQuery: () => {
        if (!failed) resolve(copied);
      },
      handleError: (error: unknown) => {
        failed = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      },
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handleEmptyQuery: () => undefined,
      handleCopyData: () => undefined,
      handlePortalSuspended: () => undefined,
    };
    client.query(submittable);
  });
}

// The latest checkpoint of each thread, as a row exactly like the saver's own SELECT returns it,
// kept for the length of one `runOn(..., { memo: true })` scope so that a step reads its checkpoint
// from PostgreSQL once.
//
// When it is exact: every statement of the scope runs on one client, in the order it was sent, so
// the memo follows the database by applying each write when it is SENT, with the outcome it
// predicts, and checks the prediction when the result comes back (a mismatch or any error drops
// the thread, or the whole memo). It does not see anybody else's writes: it is valid only while
// nothing but this scope writes the scoped threads (the caller holds the thread's lock, taken by
// every writer), and only inside one transaction that the caller does not partly roll back.
// Anything it cannot know exactly (a thread never read in the scope, a checkpoint that already had
// writes when read, a channel version whose blob it never saw, an older checkpoint id, a legacy v<4
// checkpoint, task ids that the database might order otherwise) is simply not memoized.

/** One row of the official SELECT_SQL, as pg parses it. */
export interface CheckpointRow {
  readonly thread_id: string;
  readonly checkpoint_ns: string;
  readonly checkpoint_id: string;
  readonly parent_checkpoint_id: string | null;
  readonly checkpoint: { readonly v?: number; readonly channel_versions?: Record<string, string | number> } & Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly channel_values: [Uint8Array, Uint8Array, Uint8Array | null][] | null;
  readonly pending_writes: [Uint8Array, Uint8Array, Uint8Array, Uint8Array][] | null;
}

interface KnownWrite {
  readonly taskId: string;
  readonly idx: number;
  readonly channel: string;
  readonly type: string;
  readonly blob: Buffer;
}

/** A stored (channel, version) blob: its type and bytes, or null when known to be absent. */
type KnownBlob = { readonly type: string; readonly blob: Buffer | null } | null;

type Latest =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'row';
      readonly checkpointId: string;
      readonly parentId: string | null;
      /** JSON text as jsonb would give it back, parsed afresh for every reader. */
      readonly checkpointJson: string;
      readonly metadataJson: string;
      readonly channelVersions: Record<string, string | number>;
      readonly blobs: Map<string, KnownBlob>;
      /** By `${taskId}\0${idx}`; undefined when the checkpoint already had writes whose idx is unknown. */
      readonly writes: Map<string, KnownWrite> | undefined;
    };

export interface PutPrediction {
  readonly threadId: string;
  readonly ns: string;
  readonly checkpointId: string;
  readonly parentId: string | null;
  readonly checkpoint: unknown;
  readonly metadata: unknown;
  /** [channel, version, type, blob] of the blobs sent. */
  readonly blobs: readonly (readonly [string, string, string, Uint8Array | undefined])[];
}

export interface WritesPrediction {
  readonly threadId: string;
  readonly ns: string;
  readonly checkpointId: string;
  readonly taskId: string;
  readonly upsert: boolean;
  /** [idx, channel, type, blob], one per idx. */
  readonly rows: readonly (readonly [number, string, string, Uint8Array])[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const encoder = new TextEncoder();
const keyOf = (threadId: string, ns: string) => `${threadId}\0${ns}`;
const blobKey = (channel: string, version: string | number) => `${channel}\0${String(version)}`;

/** Object keys in jsonb's storage order (shorter first, then bytewise), as a jsonb round trip returns them. */
export function jsonbText(value: unknown): string {
  const order = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(order);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return Object.fromEntries(keys.map((k) => [k, order((v as Record<string, unknown>)[k])]));
  };
  return JSON.stringify(order(JSON.parse(JSON.stringify(value) ?? 'null')));
}

export class ScopeMemo {
  private readonly latest = new Map<string, Latest>();
  /** Per thread: bumped by every write sent for it, so a read that overlapped one is not memoized. */
  private readonly generations = new Map<string, number>();
  /** Reads answered here without a round trip. */
  hits = 0;

  clear(): void {
    this.latest.clear();
  }

  generation(threadId: string): number {
    return this.generations.get(threadId) ?? 0;
  }

  private bump(threadId: string): void {
    this.generations.set(threadId, this.generation(threadId) + 1);
  }

  /** The latest row of a thread, if known here; `null` when the thread is known to have none. */
  lookup(threadId: string, ns: string, checkpointId: string | undefined): CheckpointRow | null | undefined {
    const key = keyOf(threadId, ns);
    const entry = this.latest.get(key);
    if (!entry) return undefined;
    if (entry.kind === 'none') {
      if (checkpointId !== undefined) return undefined;
      this.hits += 1;
      return null;
    }
    if (checkpointId !== undefined && checkpointId !== entry.checkpointId) return undefined;
    // A checkpoint read with pending writes is not known exactly (their order, their task ids).
    if (!entry.writes) return undefined;
    const writes = [...entry.writes.values()];
    // The SELECT orders pending writes by (task_id, idx) in the database's collation; for uuids
    // (LangGraph's task ids) every collation agrees with a plain comparison.
    const taskIds = new Set(writes.map((w) => w.taskId));
    if (taskIds.size > 1 && ![...taskIds].every((t) => UUID.test(t))) {
      this.latest.delete(key);
      return undefined;
    }
    writes.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.idx - b.idx));
    const channelValues: [Uint8Array, Uint8Array, Uint8Array | null][] = [];
    for (const [channel, version] of Object.entries(entry.channelVersions)) {
      const blob = entry.blobs.get(blobKey(channel, version));
      if (blob) channelValues.push([encoder.encode(channel), encoder.encode(blob.type), blob.blob && Buffer.from(blob.blob)]);
    }
    this.hits += 1;
    return {
      thread_id: threadId,
      checkpoint_ns: ns,
      checkpoint_id: entry.checkpointId,
      parent_checkpoint_id: entry.parentId,
      checkpoint: JSON.parse(entry.checkpointJson) as CheckpointRow['checkpoint'],
      metadata: JSON.parse(entry.metadataJson) as Record<string, unknown>,
      channel_values: channelValues.length > 0 ? channelValues : null,
      pending_writes: writes.length > 0 ? writes.map((w) => [encoder.encode(w.taskId), encoder.encode(w.channel), encoder.encode(w.type), Buffer.from(w.blob)]) : null,
    };
  }

  /** A latest-checkpoint read came back; `generation` is the thread's when it was sent. */
  recordRead(threadId: string, ns: string, generation: number, row: CheckpointRow | undefined): void {
    const key = keyOf(threadId, ns);
    if (this.generation(threadId) !== generation) return;
    if (!row) {
      this.latest.set(key, { kind: 'none' });
      return;
    }
    const versions = row.checkpoint.channel_versions ?? {};
    if ((row.checkpoint.v ?? 0) < 4 && row.parent_checkpoint_id != null) {
      this.latest.delete(key);
      return;
    }
    const decoder = new TextDecoder();
    const blobs = new Map<string, KnownBlob>(Object.entries(versions).map(([channel, version]) => [blobKey(channel, version), null]));
    for (const [channel, type, blob] of row.channel_values ?? []) {
      const name = decoder.decode(channel);
      const version = versions[name];
      if (version !== undefined) blobs.set(blobKey(name, version), { type: decoder.decode(type), blob: blob && Buffer.from(blob) });
    }
    this.latest.set(key, {
      kind: 'row',
      checkpointId: row.checkpoint_id,
      parentId: row.parent_checkpoint_id,
      checkpointJson: JSON.stringify(row.checkpoint),
      metadataJson: JSON.stringify(row.metadata),
      channelVersions: { ...versions },
      blobs,
      writes: (row.pending_writes?.length ?? 0) === 0 ? new Map() : undefined,
    });
  }

  /**
   * A put was just sent: the thread's latest becomes this checkpoint, assuming it was new and every
   * blob was inserted. Returns the check to run on the statement's result row.
   */
  putSent(put: PutPrediction): (result: { inserted: boolean; blobs_inserted: number } | undefined) => void {
    const key = keyOf(put.threadId, put.ns);
    this.bump(put.threadId);
    const before = this.latest.get(key);
    this.latest.delete(key);
    const invalid = () => () => undefined;
    if (!before) return invalid();
    if (before.kind === 'row' && !(UUID.test(put.checkpointId) && UUID.test(before.checkpointId) && put.checkpointId > before.checkpointId)) return invalid();
    const checkpointJson = jsonbText(put.checkpoint);
    const checkpoint = JSON.parse(checkpointJson) as CheckpointRow['checkpoint'];
    if ((checkpoint.v ?? 0) < 4 && put.parentId != null) return invalid();
    const blobs = new Map(before.kind === 'row' ? before.blobs : []);
    // An "empty" version is not stored (the saver writes no row for it): known to be absent.
    for (const [channel, version, type, blob] of put.blobs) blobs.set(blobKey(channel, version), type === 'empty' ? null : { type, blob: blob ? Buffer.from(blob) : null });
    const stored = put.blobs.filter(([, , type]) => type !== 'empty').length;
    const channelVersions = checkpoint.channel_versions ?? {};
    if (Object.entries(channelVersions).some(([channel, version]) => !blobs.has(blobKey(channel, version)))) return invalid();
    const entry: Latest = {
      kind: 'row',
      checkpointId: put.checkpointId,
      parentId: put.parentId,
      checkpointJson,
      metadataJson: jsonbText(put.metadata),
      channelVersions,
      blobs,
      writes: new Map(),
    };
    this.latest.set(key, entry);
    // A checkpoint row that already existed keeps its writes, and a blob skipped by DO NOTHING keeps
    // its older bytes: neither is what was predicted, so the thread is read again next time.
    return (result) => {
      if (!result || !result.inserted || result.blobs_inserted !== stored) this.latest.delete(key);
    };
  }

  /** A putWrites was just sent; returns the check to run on its row count. */
  writesSent(w: WritesPrediction): (rowCount: number | null) => void {
    const key = keyOf(w.threadId, w.ns);
    this.bump(w.threadId);
    const entry = this.latest.get(key);
    if (!entry || entry.kind === 'none' || entry.checkpointId !== w.checkpointId) return () => undefined;
    if (!entry.writes) {
      this.latest.delete(key);
      return () => undefined;
    }
    let expected = 0;
    for (const [idx, channel, type, blob] of w.rows) {
      const k = `${w.taskId}\0${idx}`;
      if (w.upsert || !entry.writes.has(k)) {
        entry.writes.set(k, { taskId: w.taskId, idx, channel, type, blob: Buffer.from(blob) });
        expected += 1;
      }
    }
    return (rowCount) => {
      if (rowCount !== expected) this.latest.delete(key);
    };
  }

  /** A thread's rows were deleted (or written in a way not predicted here). */
  forgetThread(threadId: string): void {
    for (const key of [...this.latest.keys()]) if (key.startsWith(`${threadId}\0`)) this.latest.delete(key);
    this.bump(threadId);
  }
}

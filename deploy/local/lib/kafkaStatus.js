#!/usr/bin/env node
// What `stack.sh status` and `stack.sh broker status` show about a Kafka cluster: the live brokers,
// the controllers' quorum leader, partition leaders per broker, and the partitions that are
// under-replicated, offline or below min.insync.replicas.
//
// It speaks Kafka's wire protocol itself (Metadata v4, DescribeConfigs v1, DescribeQuorum v0), with
// no client library: it runs before `npm ci`, and an offline partition is a fact to report, not an
// error a client retries until it gives up.
//
//   node deploy/local/lib/kafkaStatus.js --brokers 127.0.0.1:9092,127.0.0.1:9094 [--json] [--timeout-ms 3000]
//
// Output: `key value...` lines for lib/kafka.sh (see `report` below), or one JSON object with --json.
// Exit 0 when a broker answered (whatever the cluster's health), 2 when none did.
import { Buffer } from 'node:buffer';
import { realpathSync } from 'node:fs';
import net from 'node:net';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const API = { metadata: 3, describeConfigs: 32, describeQuorum: 55 };
const RESOURCE_TOPIC = 2;
const METADATA_TOPIC = '__cluster_metadata';

class Writer {
  #chunks = [];
  int8(value) {
    const buffer = Buffer.alloc(1);
    buffer.writeInt8(value);
    return this.#push(buffer);
  }
  int16(value) {
    const buffer = Buffer.alloc(2);
    buffer.writeInt16BE(value);
    return this.#push(buffer);
  }
  int32(value) {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32BE(value);
    return this.#push(buffer);
  }
  bool(value) {
    return this.int8(value ? 1 : 0);
  }
  string(value) {
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).#push(bytes);
  }
  uvarint(value) {
    const bytes = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(rest);
    return this.#push(Buffer.from(bytes));
  }
  compactString(value) {
    const bytes = Buffer.from(value, 'utf8');
    return this.uvarint(bytes.length + 1).#push(bytes);
  }
  array(items, write) {
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  compactArray(items, write) {
    this.uvarint(items.length + 1);
    for (const item of items) write(this, item);
    return this;
  }
  noTags() {
    return this.uvarint(0);
  }
  #push(buffer) {
    this.#chunks.push(buffer);
    return this;
  }
  build() {
    return Buffer.concat(this.#chunks);
  }
}

class Reader {
  #buffer;
  #at = 0;
  constructor(buffer) {
    this.#buffer = buffer;
  }
  #take(size) {
    if (this.#at + size > this.#buffer.length) throw new Error('truncated response');
    const start = this.#at;
    this.#at += size;
    return start;
  }
  int8() {
    return this.#buffer.readInt8(this.#take(1));
  }
  int16() {
    return this.#buffer.readInt16BE(this.#take(2));
  }
  int32() {
    return this.#buffer.readInt32BE(this.#take(4));
  }
  int64() {
    return Number(this.#buffer.readBigInt64BE(this.#take(8)));
  }
  bool() {
    return this.int8() !== 0;
  }
  #bytes(size) {
    const start = this.#take(size);
    return this.#buffer.toString('utf8', start, start + size);
  }
  nullableString() {
    const size = this.int16();
    return size < 0 ? null : this.#bytes(size);
  }
  string() {
    return this.nullableString() ?? '';
  }
  uvarint() {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.#buffer.readUInt8(this.#take(1));
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new Error('malformed varint');
  }
  compactString() {
    const size = this.uvarint() - 1;
    return size < 0 ? null : this.#bytes(size);
  }
  array(read) {
    const size = this.int32();
    return Array.from({ length: Math.max(size, 0) }, () => read(this));
  }
  compactArray(read) {
    const size = this.uvarint() - 1;
    return Array.from({ length: Math.max(size, 0) }, () => read(this));
  }
  tags() {
    for (let count = this.uvarint(); count > 0; count--) {
      this.uvarint();
      this.#take(this.uvarint());
    }
  }
}

/** One TCP connection to a broker; requests go one at a time. */
function connect(address, timeoutMs) {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('timeout', () => fail(new Error(`no answer from ${address} within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.removeListener('error', fail);
      resolve(brokerConnection(socket, address, timeoutMs));
    });
  });
}

function brokerConnection(socket, address, timeoutMs) {
  let pending = Buffer.alloc(0);
  let waiting;
  let correlation = 0;
  const failWaiting = (error) => {
    if (waiting) waiting.reject(error);
    waiting = undefined;
  };
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    if (pending.length < 4 || !waiting) return;
    const size = pending.readInt32BE(0);
    if (pending.length < 4 + size) return;
    const frame = pending.subarray(4, 4 + size);
    pending = pending.subarray(4 + size);
    const current = waiting;
    waiting = undefined;
    current.resolve(frame);
  });
  socket.on('timeout', () => failWaiting(new Error(`no answer from ${address} within ${timeoutMs} ms`)));
  socket.on('error', failWaiting);
  socket.on('close', () => failWaiting(new Error(`${address} closed the connection`)));

  /** Sends one request; `flexible` picks request header v2 / response header v1 (tagged fields). */
  async function request(apiKey, apiVersion, body, flexible = false) {
    const id = ++correlation;
    const header = new Writer().int16(apiKey).int16(apiVersion).int32(id).string('supportstream-stack-status');
    if (flexible) header.noTags();
    const payload = Buffer.concat([header.build(), body.build()]);
    const frame = await new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      socket.write(Buffer.concat([new Writer().int32(payload.length).build(), payload]));
    });
    const reader = new Reader(frame);
    if (reader.int32() !== id) throw new Error(`${address} answered another request`);
    if (flexible) reader.tags();
    return reader;
  }
  return { address, request, close: () => socket.destroy() };
}

async function metadata(connection) {
  const reader = await connection.request(API.metadata, 4, new Writer().int32(-1).bool(false));
  reader.int32(); // throttle time
  const brokers = reader.array((r) => {
    const broker = { id: r.int32(), host: r.string(), port: r.int32() };
    r.nullableString(); // rack
    return broker;
  });
  const clusterId = reader.nullableString();
  reader.int32(); // "controller": in KRaft a random broker, not the quorum leader (KIP-631)
  const topics = reader.array((r) => ({
    error: r.int16(),
    name: r.string(),
    internal: r.bool(),
    partitions: r.array((p) => ({ error: p.int16(), partition: p.int32(), leader: p.int32(), replicas: p.array((x) => x.int32()), isr: p.array((x) => x.int32()) })),
  }));
  return { brokers, clusterId, topics };
}

async function minInsyncReplicas(connection, topics) {
  if (topics.length === 0) return new Map();
  const body = new Writer()
    .array(topics, (w, name) => w.int8(RESOURCE_TOPIC).string(name).array(['min.insync.replicas'], (x, key) => x.string(key)))
    .bool(false);
  const reader = await connection.request(API.describeConfigs, 1, body);
  reader.int32(); // throttle time
  const result = new Map();
  reader.array((r) => {
    const error = r.int16();
    r.nullableString();
    r.int8();
    const name = r.string();
    const configs = r.array((c) => {
      const entry = { name: c.string(), value: c.nullableString() };
      c.bool(); // read-only
      c.int8(); // source
      c.bool(); // sensitive
      c.array((s) => [s.string(), s.nullableString(), s.int8()]);
      return entry;
    });
    const value = configs.find((entry) => entry.name === 'min.insync.replicas')?.value;
    if (error === 0 && value != null) result.set(name, Number(value));
  });
  return result;
}

async function quorum(connection) {
  const body = new Writer()
    .compactArray([METADATA_TOPIC], (w, name) => w.compactString(name).compactArray([0], (p, index) => p.int32(index).noTags()).noTags())
    .noTags();
  const reader = await connection.request(API.describeQuorum, 0, body, true);
  const error = reader.int16();
  if (error !== 0) throw new Error(`DescribeQuorum error code ${error}`);
  const replica = (r) => {
    const state = { id: r.int32(), logEndOffset: r.int64() };
    r.tags();
    return state;
  };
  const [topic] = reader.compactArray((r) => {
    const name = r.compactString();
    const partitions = r.compactArray((p) => {
      const partition = { index: p.int32(), error: p.int16(), leader: p.int32(), epoch: p.int32(), highWatermark: p.int64() };
      partition.voters = p.compactArray(replica);
      partition.observers = p.compactArray(replica);
      p.tags();
      return partition;
    });
    r.tags();
    return { name, partitions };
  });
  const partition = topic?.partitions[0];
  if (!partition || partition.error !== 0) throw new Error(`DescribeQuorum partition error ${partition?.error ?? 'missing'}`);
  return { leader: partition.leader, epoch: partition.epoch, voters: partition.voters.map((voter) => voter.id).sort((a, b) => a - b) };
}

async function unreachableBrokers(brokers, answeredBy, timeoutMs) {
  const checks = await Promise.all(
    brokers.map(async ({ id, host, port }) => {
      const address = `${host}:${port}`;
      if (address === answeredBy) return undefined;
      try {
        (await connect(address, Math.min(timeoutMs, 1_000))).close();
        return undefined;
      } catch {
        return id;
      }
    }),
  );
  return checks.filter((id) => id !== undefined).sort((a, b) => a - b);
}

/** The facts about the cluster, from the first broker of `addresses` that answers. */
export async function clusterStatus(addresses, timeoutMs = 3_000) {
  const errors = [];
  for (const address of addresses) {
    let connection;
    try {
      connection = await connect(address, timeoutMs);
      const meta = await metadata(connection);
      // A broker killed a moment ago stays in the metadata until the controllers fence it
      // (broker.session.timeout.ms): a leader there is listed but serves nothing.
      const unreachable = await unreachableBrokers(meta.brokers, address, timeoutMs);
      const live = new Set(meta.brokers.map((broker) => broker.id).filter((id) => !unreachable.includes(id)));
      let minIsrError;
      const minIsr = await minInsyncReplicas(connection, meta.topics.map((topic) => topic.name)).catch((error) => {
        minIsrError = error.message;
        return new Map();
      });
      const raft = await quorum(connection).catch((error) => ({ error: error.message }));
      const leaders = Object.fromEntries([...live].sort((a, b) => a - b).map((id) => [id, 0]));
      const underReplicated = [];
      const offline = [];
      const underMinIsr = [];
      const replicaBrokers = new Set();
      let partitions = 0;
      for (const topic of meta.topics) {
        for (const partition of topic.partitions) {
          partitions += 1;
          const name = `${topic.name}-${partition.partition}`;
          for (const id of partition.replicas) replicaBrokers.add(id);
          if (partition.leader < 0 || !live.has(partition.leader)) offline.push(name);
          else leaders[partition.leader] = (leaders[partition.leader] ?? 0) + 1;
          if (partition.isr.length < partition.replicas.length) underReplicated.push(name);
          const required = minIsr.get(topic.name);
          if (required !== undefined && partition.isr.length < required) underMinIsr.push(name);
        }
      }
      const sorted = (names) => names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      return {
        answeredBy: address,
        clusterId: meta.clusterId,
        brokers: meta.brokers.map(({ id, host, port }) => ({ id, address: `${host}:${port}` })).sort((a, b) => a.id - b.id),
        /** Listed by the cluster but not accepting connections: down, not fenced yet. */
        unreachableBrokers: unreachable,
        /** Brokers that hold replicas but are not live: down, or fenced by the controllers. */
        missingBrokers: [...replicaBrokers].filter((id) => !live.has(id)).sort((a, b) => a - b),
        quorum: raft,
        topics: meta.topics.length,
        partitions,
        leaders,
        underReplicated: sorted(underReplicated),
        offline: sorted(offline),
        underMinIsr: sorted(underMinIsr),
        /** Per topic: its replication factor (partition 0's replica count) and min.insync.replicas. */
        replication: Object.fromEntries(
          meta.topics
            .map((topic) => [topic.name, { replicas: topic.partitions[0]?.replicas.length ?? 0, minInsyncReplicas: minIsr.get(topic.name) ?? null }])
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
        ...(minIsrError ? { minIsrError } : {}),
      };
    } catch (error) {
      errors.push(`${address}: ${error.message}`);
    } finally {
      connection?.close();
    }
  }
  throw new Error(`no broker answered (${errors.join('; ')})`);
}

/** `key value...` lines: one fact a line, lists space-separated, for `while read -r key rest`. */
function report(status) {
  const lines = [
    `answered_by ${status.answeredBy}`,
    `brokers ${status.brokers.map((broker) => broker.id).join(' ')}`,
    `missing_brokers ${status.missingBrokers.join(' ')}`,
    `unreachable_brokers ${status.unreachableBrokers.join(' ')}`,
    status.quorum.error ? `quorum_error ${status.quorum.error}` : `quorum_leader ${status.quorum.leader} ${status.quorum.epoch}`,
    `voters ${status.quorum.voters?.join(' ') ?? ''}`,
    `topics ${status.topics}`,
    `partitions ${status.partitions}`,
    ...Object.entries(status.leaders).map(([id, count]) => `leads ${id} ${count}`),
    `under_replicated ${status.underReplicated.length} ${status.underReplicated.join(' ')}`,
    `offline ${status.offline.length} ${status.offline.join(' ')}`,
    `under_min_isr ${status.underMinIsr.length} ${status.underMinIsr.join(' ')}`,
  ];
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

function parseArgs(argv) {
  const options = { brokers: [], json: false, timeoutMs: 3_000 };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--json') options.json = true;
    else if (arg === '--brokers') options.brokers = (argv[++index] ?? '').split(',').filter(Boolean);
    else if (arg === '--timeout-ms') options.timeoutMs = Number(argv[++index]);
    else throw new Error(`unknown argument ${arg} (usage: kafkaStatus.js --brokers host:port[,host:port...] [--json] [--timeout-ms N])`);
  }
  if (options.brokers.length === 0) throw new Error('--brokers host:port[,host:port...] is required');
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 100) throw new Error('--timeout-ms must be an integer >= 100');
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`kafkaStatus: ${error.message}\n`);
    process.exit(64);
  }
  try {
    const status = await clusterStatus(options.brokers, options.timeoutMs);
    process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : report(status));
  } catch (error) {
    process.stderr.write(`kafkaStatus: ${error.message}\n`);
    process.exit(2);
  }
}

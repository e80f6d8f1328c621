#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@supportstream/config';
import { createLogger } from '@supportstream/observability';
import { generateMasterKey } from '@supportstream/privacy';
import { demoCommand } from './demo.js';
import { API_KEYS_USAGE, apiKeysCommand } from './apiKeysCommand.js';
import { auditHistoryCommand } from './audit/history.js';
import { auditCheckpointsCommand, auditStateCommand } from './audit/timeTravel.js';
import { auditWhatIfCommand } from './audit/whatIf.js';
import { evalFromArguments } from './eval/evalArguments.js';
import { privacyEraseCommand } from './privacy/erase.js';
import { projectionsRebuildCommand } from './projectionsCommand.js';
import { DLQ_USAGE, deadLettersCommand } from './deadLettersCommand.js';
import { TOKENS_USAGE, tokensCommand } from './tokensCommand.js';
import { approvalsCommand, askCommand, checkpointsPruneCommand, dbMigrateCommand, knowledgeIngestCommand } from './platformCommands.js';
import { schemasCheckCommand, schemasRegisterCommand, topicsCommand, type CommandContext } from './commands.js';

const USAGE = `usage: supportstream <command> [options]

  topics apply [--dir topics]        create/alter topics to match topics/*.json (idempotent)
  topics check [--dir topics]        report drift from the declarations; exit 1 if any
  schemas register [--dir schemas]   register every event schema (BACKWARD_TRANSITIVE)
  schemas check [--dir schemas] [--no-history] [--no-registry]
                                     exit 1 if a schema is incompatible with the registered
                                     versions or with any version committed in git history
  demo                               walk one scripted conversation through every topic
  db migrate                         create/upgrade the platform's tables and the checkpoint tables
  knowledge ingest [--dir knowledge] [--tenant id]
                                     chunk, embed and store the knowledge base (idempotent); notes for
                                     agents (> **For agents:**) are kept apart: knowledge/README.md
  ask --tenant id --customer id --message text [--conversation id] [--tier VIP] [--subject s]
                                     put a customer request on customer.requests
  approvals list [--json] | show <id> | approve <id> | reject <id> | edit <id> --reply text
                                     [--by name] [--comment text]: the supervisor's console
  checkpoints prune [--idle-days 30] compact closed conversations idle that long to their latest checkpoint
${API_KEYS_USAGE}
${TOKENS_USAGE}
${DLQ_USAGE}
  projections rebuild [--target schema] [--replace] [--no-compare] [--keep] [--shards n] [--json]
                                     replay every topic from offset 0 into a fresh schema (progress on
                                     stderr) and prove the live read model equal to it, a checksum per
                                     table at the same offsets; exit 1 if they differ. --shards: threads
                                     folding disjoint partitions (default: the cores, at most 3)

  audit history <conversationId> [--json]
                                     the conversation's events from every topic, read from Kafka: by time,
                                     causes before effects, each under its cause, with schema subject and
                                     version, producer and ids; its dead-lettered records too
  conversation <conversationId> [--json]
                                     the same as audit history
  audit checkpoints <conversationId> [--limit 500] [--json]
                                     the conversation's graph checkpoints, oldest first
  audit state <conversationId> [--checkpoint id] [--json]
                                     the graph state at a checkpoint (default: the latest)
  audit whatif --from <ISO time> --to <ISO time> [--tenant id] [--limit 500] [--run-timeout 60]
               [--keep] [--json]     run the requests of [from, to) through the current graph and
                                     configuration into shadow topics and compare with the recorded runs

  privacy erase --tenant id --customer id [--by name] [--reason text] [--force] [--json]
                                     erase a customer: delete their data key (every sealed personal field
                                     on every topic becomes unreadable), then purge the read model, session
                                     and vector memory, checkpoints and caches; refused while one of their
                                     conversations is in flight unless --force
  privacy new-master-key [--id k1]   print a fresh PRIVACY_MASTER_KEYS entry

  eval [--dataset eval/datasets/support-tickets.jsonl] [--provider row] [--out eval/results] [--json] [--gate]
                                     run the labelled tickets through the real graph and nodes in this
                                     process (offline provider, or the llm_providers row; nothing written
                                     to Kafka, PostgreSQL or Redis), print the report, write the JSON record
                                     to <out>/<provider>-<time>.json; --gate: exit 1 if a target is missed
  eval --from <ISO time> --to <ISO time> [--tenant id] [--limit 500] [--provider row] [--out eval/results]
       [--json] [--gate]             run the requests received in [from, to) again the same way and score
                                     them against the recorded supervisor decisions (and the recorded runs);
                                     record in <out>/recorded-<provider>-<time>.json; --gate: exit 1 if a
                                     human-escalated request is not escalated again or personal data leaks

Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, REDIS_URL, PRIVACY_MASTER_KEYS, LOG_LEVEL (see README).`;

async function main(argv: readonly string[]): Promise<number> {
  // apikeys parses its own options (services/gateway API keys).
  if (argv[0] === 'apikeys') return apiKeysCommand(argv.slice(1));
  // tokens reads only the gateway's JWT variables, not the platform's.
  if (argv[0] === 'tokens') return tokensCommand(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'no-history': { type: 'boolean', default: false },
      'no-registry': { type: 'boolean', default: false },
      tenant: { type: 'string' },
      customer: { type: 'string' },
      message: { type: 'string' },
      conversation: { type: 'string' },
      tier: { type: 'string' },
      subject: { type: 'string' },
      channel: { type: 'string' },
      by: { type: 'string' },
      comment: { type: 'string' },
      reply: { type: 'string' },
      json: { type: 'boolean', default: false },
      'idle-days': { type: 'string' },
      shards: { type: 'string' },
      checkpoint: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'run-timeout': { type: 'string' },
      target: { type: 'string' },
      replace: { type: 'boolean', default: false },
      'no-compare': { type: 'boolean', default: false },
      dataset: { type: 'string' },
      provider: { type: 'string' },
      out: { type: 'string' },
      gate: { type: 'boolean', default: false },
      reason: { type: 'string' },
      force: { type: 'boolean', default: false },
      schema: { type: 'string' },
      id: { type: 'string' },
      topic: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, action] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadPlatformConfig();
  const context: CommandContext = {
    config,
    logger: createLogger({ service: 'cli', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, format: 'pretty', destination: process.stderr }),
    print: (line) => console.log(line),
    printError: (line) => console.error(line),
  };
  if (group === 'conversation' && action) return auditHistoryCommand(context, action, { json: values.json });
  if (group === 'audit') return audit(context, action, positionals[2], values);
  if (group === 'dlq') return deadLettersCommand(context, positionals.slice(1), { topic: values.topic, tenant: values.tenant, limit: values.limit, by: values.by, json: values.json });
  if (group === 'approvals') {
    return approvalsCommand(context, action, positionals[2], {
      ...(values.by ? { by: values.by } : {}),
      ...(values.comment ? { comment: values.comment } : {}),
      ...(values.reply ? { reply: values.reply } : {}),
      json: values.json,
    });
  }
  switch (`${group} ${action ?? ''}`.trim()) {
    case 'topics apply':
      return topicsCommand(context, { dir: values.dir ?? 'topics', check: false });
    case 'topics check':
      return topicsCommand(context, { dir: values.dir ?? 'topics', check: true });
    case 'schemas register':
      return schemasRegisterCommand(context, { dir: values.dir ?? 'schemas' });
    case 'schemas check':
      return schemasCheckCommand(context, { dir: values.dir ?? 'schemas', history: !values['no-history'], registry: !values['no-registry'] });
    case 'demo':
      return demoCommand(context);
    case 'checkpoints prune': {
      const idleDays = Number(values['idle-days'] ?? '30');
      if (!Number.isFinite(idleDays) || idleDays < 0) {
        console.error('--idle-days must be a non-negative number');
        return 2;
      }
      return checkpointsPruneCommand(context, { idleDays });
    }
    case 'db migrate':
      return dbMigrateCommand(context);
    case 'projections rebuild': {
      const shards = values.shards === undefined ? undefined : Number(values.shards);
      if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > 16)) {
        console.error('--shards must be an integer from 1 to 16');
        return 2;
      }
      return projectionsRebuildCommand(context, {
        ...(shards === undefined ? {} : { shards }),
        ...(values.target ? { target: values.target } : {}),
        replace: values.replace,
        compare: !values['no-compare'],
        keep: values.keep || values['no-compare'],
        json: values.json,
      });
    }
    case 'knowledge ingest':
      return knowledgeIngestCommand(context, { dir: values.dir ?? 'knowledge', ...(values.tenant ? { tenant: values.tenant } : {}) });
    case 'ask':
      if (!values.message || !values.customer || !values.tenant) {
        console.error('ask needs --tenant, --customer and --message');
        return 2;
      }
      return askCommand(context, {
        message: values.message,
        customer: values.customer,
        tenant: values.tenant,
        ...(values.conversation ? { conversation: values.conversation } : {}),
        ...(values.tier ? { tier: values.tier } : {}),
        ...(values.subject ? { subject: values.subject } : {}),
        ...(values.channel ? { channel: values.channel } : {}),
      });
    case 'privacy erase':
      if (!values.tenant || !values.customer) {
        console.error('privacy erase needs --tenant and --customer');
        return 2;
      }
      return privacyEraseCommand(context, {
        tenant: values.tenant,
        customer: values.customer,
        ...(values.by ? { by: values.by } : {}),
        ...(values.reason ? { reason: values.reason } : {}),
        ...(values.schema ? { schema: values.schema } : {}),
        force: values.force,
        json: values.json,
      });
    case 'privacy new-master-key':
      context.print(generateMasterKey(values.id ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`));
      return 0;
    case 'eval':
      return evalFromArguments(context, {
        dataset: values.dataset,
        from: values.from,
        to: values.to,
        tenant: values.tenant,
        limit: values.limit,
        provider: values.provider,
        out: values.out,
        json: values.json,
        gate: values.gate,
      });
    default:
      console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
      return 2;
  }
}

type Values = Record<string, string | boolean | undefined>;

function positiveNumber(values: Values, name: string, fallback: number): number | undefined {
  const raw = values[name];
  const value = typeof raw === 'string' ? Number(raw) : fallback;
  if (Number.isFinite(value) && value > 0) return value;
  console.error(`--${name} must be a positive number`);
  return undefined;
}

async function audit(context: CommandContext, action: string | undefined, conversationId: string | undefined, values: Values): Promise<number> {
  const json = values['json'] === true;
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  if (action === 'whatif') {
    const from = text('from');
    const to = text('to');
    if (!from || !to) {
      console.error('audit whatif needs --from and --to (ISO-8601 times)');
      return 2;
    }
    const limit = positiveNumber(values, 'limit', 500);
    const runTimeout = positiveNumber(values, 'run-timeout', 60);
    if (limit === undefined || runTimeout === undefined) return 2;
    const tenant = text('tenant');
    return auditWhatIfCommand(context, { from: new Date(from), to: new Date(to), limit, runTimeoutMs: runTimeout * 1000, keep: values['keep'] === true, json, ...(tenant ? { tenant } : {}) });
  }
  if (!conversationId || !['history', 'checkpoints', 'state'].includes(action ?? '')) {
    console.error(`usage: supportstream audit history|checkpoints|state <conversationId> | audit whatif --from <time> --to <time>\n\n${USAGE}`);
    return 2;
  }
  if (action === 'history') return auditHistoryCommand(context, conversationId, { json });
  if (action === 'state') {
    const checkpoint = text('checkpoint');
    return auditStateCommand(context, conversationId, { json, ...(checkpoint ? { checkpoint } : {}) });
  }
  const limit = positiveNumber(values, 'limit', 500);
  return limit === undefined ? 2 : auditCheckpointsCommand(context, conversationId, { json, limit });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

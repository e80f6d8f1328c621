#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@supportstream/config';
import { createLogger } from '@supportstream/observability';
import { demoCommand } from './demo.js';
import { approvalsCommand, askCommand, checkpointsPruneCommand, conversationCommand, dbMigrateCommand, knowledgeIngestCommand } from './platformCommands.js';
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
                                     chunk, embed and store the knowledge base (idempotent)
  ask --tenant id --customer id --message text [--conversation id] [--tier VIP] [--subject s]
                                     put a customer request on customer.requests
  approvals list [--json] | show <id> | approve <id> | reject <id> | edit <id> --reply text
                                     [--by name] [--comment text]: the supervisor's console
  conversation <id> [--json]         a conversation's events from every topic
  checkpoints prune [--idle-days 30] compact closed conversations idle that long to their latest checkpoint

Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, LOG_LEVEL (see README).`;

async function main(argv: readonly string[]): Promise<number> {
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
  };
  if (group === 'conversation' && action) return conversationCommand(context, action, { json: values.json });
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
    default:
      console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

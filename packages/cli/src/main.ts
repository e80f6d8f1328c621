#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@supportstream/config';
import { createLogger } from '@supportstream/observability';
import { demoCommand } from './demo.js';
import { schemasCheckCommand, schemasRegisterCommand, topicsCommand, type CommandContext } from './commands.js';

const USAGE = `usage: supportstream <command> [options]

  topics apply [--dir topics]        create/alter topics to match topics/*.json (idempotent)
  topics check [--dir topics]        report drift from the declarations; exit 1 if any
  schemas register [--dir schemas]   register every event schema (BACKWARD_TRANSITIVE)
  schemas check [--dir schemas] [--no-history] [--no-registry]
                                     exit 1 if a schema is incompatible with the registered
                                     versions or with any version committed in git history
  demo                               walk one scripted conversation through every topic

Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, LOG_LEVEL (see README).`;

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'no-history': { type: 'boolean', default: false },
      'no-registry': { type: 'boolean', default: false },
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

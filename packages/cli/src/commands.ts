import { resolve } from 'node:path';
import type { PlatformConfig } from '@supportstream/config';
import {
  checkAgainstHistory,
  checkAgainstRegistry,
  composeEventSchemas,
  createRegistryClient,
  namespacedDefinitions,
  readSchemaDir,
  registerEventSchemas,
  type CompatibilityProblem,
} from '@supportstream/events';
import { applyTopics, createKafka, expandDeclarations, loadTopicDeclarations, namesOf } from '@supportstream/kafka';
import type { Logger } from '@supportstream/observability';
import { readSchemaHistory } from './gitHistory.js';

export interface CommandContext {
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  /** Messages about a failure (stderr), so stdout stays parseable; defaults to `print`. */
  readonly printError?: (line: string) => void;
}

/** `topics apply` / `topics check`: returns the process exit code. */
export async function topicsCommand(context: CommandContext, options: { dir: string; check: boolean }): Promise<number> {
  const specs = expandDeclarations(await loadTopicDeclarations(resolve(options.dir)));
  const kafka = createKafka({ brokers: context.config.KAFKA_BROKERS, clientId: 'supportstream-cli', logger: context.logger, namespace: context.config.SUPPORTSTREAM_NAMESPACE });
  const report = await applyTopics(kafka, specs, { dryRun: options.check });
  // What is on the broker: the namespace's names.
  const physical = (topic: string) => namesOf(kafka).topic(topic);
  const adjusted = report.changes.filter((change) => change.kind === 'adjusted');
  for (const detail of new Set(adjusted.map((change) => change.detail))) {
    context.print(`note: ${detail} for ${adjusted.filter((change) => change.detail === detail).length} topic(s)`);
  }
  for (const change of report.changes) {
    if (change.kind !== 'adjusted') context.print(`${change.kind.padEnd(20)} ${physical(change.topic).padEnd(30)} ${change.detail}`);
  }
  const unfixable = report.drift.length;
  context.print(
    options.check
      ? unfixable === 0
        ? `topics match their declarations (${specs.length} topics)`
        : `${unfixable} difference(s) from the declarations; run \`npm run topics:apply\``
      : `applied ${specs.length} topic declarations${unfixable > 0 ? `; ${unfixable} drift(s) need a manual fix` : ''}`,
  );
  return unfixable === 0 ? 0 : 1;
}

export async function schemasRegisterCommand(context: CommandContext, options: { dir: string }): Promise<number> {
  // The namespace's subjects follow its topics: `<ns>.<topic>-<record>`.
  const definitions = namespacedDefinitions(composeEventSchemas(await readSchemaDir(resolve(options.dir))), context.config.SUPPORTSTREAM_NAMESPACE);
  const registry = createRegistryClient(context.config.SCHEMA_REGISTRY_URL);
  try {
    for (const result of await registerEventSchemas(registry, definitions)) {
      context.print(`${result.isNew ? 'registered' : 'unchanged '} ${result.subject} id=${result.id} version=${result.version}`);
    }
  } catch (error) {
    context.print(`refused: ${(error as Error).message}`);
    return 1;
  }
  return 0;
}

export async function schemasCheckCommand(context: CommandContext, options: { dir: string; history: boolean; registry: boolean }): Promise<number> {
  const definitions = composeEventSchemas(await readSchemaDir(resolve(options.dir)));
  context.print(`composed ${definitions.length} event schemas from ${options.dir}`);
  const registry = createRegistryClient(context.config.SCHEMA_REGISTRY_URL);
  const problems: CompatibilityProblem[] = [];
  if (options.registry) {
    problems.push(...(await checkAgainstRegistry(registry, namespacedDefinitions(definitions, context.config.SUPPORTSTREAM_NAMESPACE))));
    context.print(`checked against the subjects registered at ${registry.url}`);
  }
  if (options.history) {
    const history = await readSchemaHistory(options.dir);
    if (history === undefined) {
      context.print('not a git work tree: skipped the check against committed versions');
    } else {
      for (const note of history.skipped) context.print(`skipped an unreadable historical commit ${note}`);
      problems.push(...(await checkAgainstHistory(registry, definitions, history.versions, 'git history')));
      const total = [...history.versions.values()].reduce((sum, versions) => sum + versions.length, 0);
      context.print(`checked against ${total} committed version(s) from ${history.commits} commit(s)`);
    }
  }
  for (const problem of problems) {
    context.print(`INCOMPATIBLE ${problem.subject} (against ${problem.against})`);
    for (const message of problem.messages) context.print(`  ${message}`);
  }
  context.print(problems.length === 0 ? `all schemas are ${'BACKWARD_TRANSITIVE'} compatible` : `${problems.length} incompatible schema(s)`);
  return problems.length === 0 ? 0 : 1;
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createPool } from '@supportstream/db';
import {
  checkGate,
  DatasetError,
  describeThreshold,
  EVAL_TARGETS,
  loadDataset,
  renderMarkdown,
  toJsonRecord,
  type EvalMeta,
  type GateFailure,
  type SupportTicket,
} from '@supportstream/eval';
import { LlmConfigError, PgAgentSettingsStore, type Env, type ModelResolver } from '@supportstream/llm';
import { embedderFromConfig, loadMemoryConfig } from '@supportstream/memory';
import { MASTER_KEYS_VARIABLE } from '@supportstream/privacy';
import type { CommandContext } from '../commands.js';
import { configuredResolver, offlineResolver } from './evalModels.js';
import { createEvalWorld, evaluateTickets } from './evaluate.js';
import { currentCommit } from './gitCommit.js';
import type { TicketDiagnostics } from './observeTickets.js';

export interface EvalCommandOptions {
  /** The dataset file, as given (it is recorded so). */
  readonly dataset: string;
  /** A row of llm_providers; without it, the offline provider with no database. */
  readonly provider?: string;
  /** Where the JSON record goes (eval/results). */
  readonly out: string;
  readonly knowledgeDir: string;
  readonly json: boolean;
  /** Exit 1 when a target of issue 10 (EVAL_TARGETS) is missed or a run failed. */
  readonly gate: boolean;
}

export interface EvalModels {
  readonly resolver: ModelResolver;
  readonly provider: string;
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

/** Values the process holds that no reply may contain: master keys and the provider's API key. */
export function secretsOf(env: Env, apiKeyEnv: string | null = null): string[] {
  const entries = (env[MASTER_KEYS_VARIABLE] ?? '').split(',');
  // An entry is `<id>:<base64>`: the key material alone is the secret.
  const masterKeys = entries.flatMap((entry) => [entry.trim(), entry.slice(entry.indexOf(':') + 1).trim()]);
  const apiKey = apiKeyEnv === null ? [] : [env[apiKeyEnv] ?? ''];
  return [...new Set([...masterKeys, ...apiKey])].filter((value) => value.length >= 16);
}

/**
 * The models of a run, for both eval commands. The offline provider needs nothing; a provider row
 * is read, with the agents' settings, from PostgreSQL as the services read it. A configuration
 * error (an unknown provider row, a missing API key variable) is printed as `eval: …` and gives
 * undefined, on which the command exits 2.
 */
export async function loadEvalModels(context: CommandContext, provider: string | undefined): Promise<EvalModels | undefined> {
  if (provider === undefined) {
    const close = () => Promise.resolve();
    return { resolver: offlineResolver(), provider: 'offline', secrets: secretsOf(process.env), close };
  }
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-eval' });
  try {
    const store = new PgAgentSettingsStore({ pool });
    const row = await store.provider(provider);
    const secrets = secretsOf(process.env, row.apiKeyEnv);
    return { resolver: configuredResolver(store, provider), provider, secrets, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    if (!(error instanceof LlmConfigError)) throw error;
    (context.printError ?? context.print)(`eval: ${error.message}`);
    return undefined;
  }
}

/** One line per finding, for stderr: kinds and places, never the values. */
export function diagnosticLines(diagnostics: readonly TicketDiagnostics[]): string[] {
  return diagnostics.flatMap(({ id, error, piiLeaks, outputLeaks, undetected }) => {
    const lines: string[] = [];
    if (error !== undefined) lines.push(`eval: the run of ${id} failed: ${error}`);
    if (piiLeaks.length > 0) {
      const places = piiLeaks.map((leak) => `${leak.kind} in ${leak.where}`).join(', ');
      lines.push(`eval: ${id} leaks ${piiLeaks.length} personal value(s): ${places}`);
    }
    if (outputLeaks.length > 0) lines.push(`eval: the reply to ${id} gives away: ${outputLeaks.join(', ')}`);
    if (undetected.length > 0) {
      lines.push(`eval: the detector finds no ${undetected.join(', ')} in ${id}: not measured`);
    }
    return lines;
  });
}

/** The gate's missed targets, one line each, for stderr. */
export function gateLines(gate: readonly GateFailure<string>[]): string[] {
  return gate.map((failure) => {
    const actual = failure.actual === null ? 'no value' : String(Number(failure.actual.toFixed(3)));
    return `gate: ${failure.metric} is ${actual}, the target is ${describeThreshold(failure.threshold)}`;
  });
}

/** The models that answered (`provider/model`), without their provider's name, e.g. `heuristic-v1`. */
export function modelsOf(used: readonly string[]): { model?: string } {
  const models = [...new Set(used.map((model) => model.slice(model.indexOf('/') + 1)))];
  return models.length > 0 ? { model: models.join(', ') } : {};
}

/** Writes a JSON record to `<out>/<prefix><provider>-<time>.json`; returns the file's path. */
export async function writeRecord(
  out: string,
  name: { readonly prefix?: string; readonly provider: string; readonly generatedAt: string },
  record: unknown,
): Promise<string> {
  const provider = name.provider.replace(/[^A-Za-z0-9_-]/g, '_');
  const file = join(out, `${name.prefix ?? ''}${provider}-${name.generatedAt.replace(/[:.]/g, '-')}.json`);
  await mkdir(out, { recursive: true });
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/**
 * `eval`: runs a labelled dataset through the real graph and nodes in this process (nothing is
 * written to Kafka, PostgreSQL or Redis), prints the report (markdown, or the JSON record with
 * --json), writes the record to `<out>/<provider>-<time>.json`, and with --gate exits 1 when a
 * target is missed.
 */
export async function evalCommand(context: CommandContext, options: EvalCommandOptions): Promise<number> {
  const printError = context.printError ?? context.print;
  let tickets: SupportTicket[];
  try {
    tickets = await loadDataset(resolve(options.dataset));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
    if (!(error instanceof DatasetError) && !missing) throw error;
    printError(missing ? `eval: no dataset at ${options.dataset}` : (error as Error).message);
    return 2;
  }
  const models = await loadEvalModels(context, options.provider);
  if (models === undefined) return 2;
  try {
    const world = await createEvalWorld({
      resolver: models.resolver,
      embedder: embedderFromConfig(loadMemoryConfig()),
      knowledgeDir: resolve(options.knowledgeDir),
    });
    let done = 0;
    const evaluation = await evaluateTickets(tickets, world, {
      secrets: models.secrets,
      onRun: () => {
        done += 1;
        if (done % 50 === 0) printError(`eval: ${done}/${tickets.length} tickets`);
      },
    });
    const gate = options.gate ? checkGate(evaluation.result.scores, EVAL_TARGETS) : undefined;
    const generatedAt = new Date().toISOString();
    const commit = await currentCommit();
    const meta: EvalMeta = {
      commit,
      dataset: options.dataset,
      provider: models.provider,
      ...modelsOf(evaluation.models),
      generatedAt,
    };
    const record = toJsonRecord(evaluation.result, meta, gate);
    const file = await writeRecord(options.out, { provider: models.provider, generatedAt }, record);

    context.print(
      options.json ? JSON.stringify(record) : renderMarkdown(evaluation.result, meta, { thresholds: EVAL_TARGETS }),
    );
    for (const line of diagnosticLines(evaluation.diagnostics)) printError(line);
    printError(`eval: wrote ${file}`);
    const failedRuns = evaluation.diagnostics.filter((ticket) => ticket.error !== undefined).length;
    if (!gate) return 0;
    for (const line of gateLines(gate)) printError(line);
    if (failedRuns > 0) printError(`gate: ${failedRuns} run(s) failed`);
    return gate.length > 0 || failedRuns > 0 ? 1 : 0;
  } finally {
    await models.close();
  }
}

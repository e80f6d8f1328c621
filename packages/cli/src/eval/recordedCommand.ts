import { resolve } from 'node:path';
import { createPool } from '@supportstream/db';
import {
  checkRecordedGate,
  RECORDED_GATE,
  renderRecordedMarkdown,
  scoreRecorded,
  toRecordedJsonRecord,
  type RecordedMeta,
} from '@supportstream/eval';
import { createKafka } from '@supportstream/kafka';
import { embedderFromConfig, loadMemoryConfig } from '@supportstream/memory';
import { postgresCrmDirectory, type CrmData, type CrmDirectory } from '@supportstream/tools';
import { readRecordedWindow } from '../audit/recordedWindow.js';
import type { CommandContext } from '../commands.js';
import { commandCodec } from '../keyVault.js';
import { diagnosticLines, gateLines, loadEvalModels, modelsOf, writeRecord } from './evalCommand.js';
import { createRecordedWorld, modelsUsed } from './evaluate.js';
import { currentCommit } from './gitCommit.js';
import { observeRecorded } from './observeRecorded.js';
import { planRecorded, recordedTickets, type RecordedTicket } from './recordedTickets.js';
import { runPlans } from './runTickets.js';

/** At most this many requests are run unless --limit says otherwise (as `audit whatif`). */
export const RECORDED_LIMIT = 500;

export interface RecordedEvalOptions {
  readonly from: Date;
  readonly to: Date;
  readonly tenant?: string;
  /** At most this many requests are run: the earliest readable ones of the window. */
  readonly limit?: number;
  /** A row of llm_providers; without it, the offline provider. */
  readonly provider?: string;
  readonly out: string;
  readonly knowledgeDir: string;
  readonly json: boolean;
  /** Exit 1 when RECORDED_GATE is missed or a run failed. */
  readonly gate: boolean;
}

/** Why a window cannot be evaluated, or undefined when it can. */
export function windowProblem(options: Pick<RecordedEvalOptions, 'from' | 'to' | 'limit'>): string | undefined {
  if (Number.isNaN(options.from.getTime()) || Number.isNaN(options.to.getTime())) {
    return 'eval: --from and --to must be ISO-8601 times, e.g. 2026-11-21T09:00:00Z';
  }
  if (options.from.getTime() >= options.to.getTime()) return 'eval: --from must be before --to';
  const limit = options.limit ?? RECORDED_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return 'eval: --limit must be a positive integer';
  return undefined;
}

/** The CRM records of the customers of the tickets, for the output check; each looked up once. */
async function customersOf(crm: CrmDirectory, tickets: readonly RecordedTicket[]): Promise<CrmData['customers']> {
  const keys = new Map(
    tickets.map(({ request }) => [
      JSON.stringify([request.metadata.tenantId, request.data.customerId]),
      [request.metadata.tenantId, request.data.customerId] as const,
    ]),
  );
  const lookups = [...keys.values()].map(([tenantId, customerId]) => crm.findCustomer(tenantId, customerId));
  const found = await Promise.all(lookups);
  return found.filter((customer) => customer !== undefined);
}

function windowText(options: RecordedEvalOptions): string {
  const tenant = options.tenant === undefined ? '' : ` for tenant ${options.tenant}`;
  return `[${options.from.toISOString()}, ${options.to.toISOString()})${tenant}`;
}

/**
 * `eval --from --to`: evaluates recorded traffic, with the recorded human decisions as labels.
 * The window's requests are read from Kafka (personal fields opened with the services' data keys)
 * and run again through the real graph and nodes in this process, as the dataset's tickets are:
 * nothing is written to Kafka, PostgreSQL or Redis (the CRM and the provider settings are only
 * read). Prints the report (markdown, or the JSON record with --json), writes the record to
 * `<out>/recorded-<provider>-<time>.json`, and with --gate exits 1 when RECORDED_GATE is missed.
 */
export async function recordedEvalCommand(context: CommandContext, options: RecordedEvalOptions): Promise<number> {
  const printError = context.printError ?? context.print;
  const problem = windowProblem(options);
  if (problem !== undefined) {
    printError(problem);
    return 2;
  }
  const models = await loadEvalModels(context, options.provider);
  if (models === undefined) return 2;
  const pool = createPool(context.config.DATABASE_URL, { max: 2, applicationName: 'supportstream-eval' });
  try {
    const { config, logger } = context;
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'supportstream-eval', logger, namespace: config.SUPPORTSTREAM_NAMESPACE });
    const window = await readRecordedWindow(kafka, commandCodec(context), options);
    if (window.requests.length === 0) {
      printError(`eval: no RequestReceived on customer.requests in ${windowText(options)}`);
      return 1;
    }
    const selection = recordedTickets(window, options.limit ?? RECORDED_LIMIT);
    const crm = postgresCrmDirectory(pool);
    const world = await createRecordedWorld({
      resolver: models.resolver,
      embedder: embedderFromConfig(loadMemoryConfig()),
      knowledgeDir: resolve(options.knowledgeDir),
      crm,
    });
    let done = 0;
    const runs = await runPlans(planRecorded(selection.tickets), world, {
      onRun: () => {
        done += 1;
        if (done % 50 === 0) printError(`eval: ${done}/${selection.tickets.length} requests`);
      },
    });
    const customers = await customersOf(crm, selection.tickets);
    const { cases, diagnostics } = observeRecorded(runs, { customers, secrets: models.secrets });
    const result = scoreRecorded(cases);
    const gate = options.gate ? checkRecordedGate(result.scores) : undefined;
    const generatedAt = new Date().toISOString();
    const meta: RecordedMeta = {
      commit: await currentCommit(),
      provider: models.provider,
      ...modelsOf(modelsUsed(runs)),
      generatedAt,
      source: { from: options.from.toISOString(), to: options.to.toISOString(), tenant: options.tenant ?? null },
      requests: window.requests.length,
      erased: selection.erased,
      skipped: selection.skipped,
    };
    const record = toRecordedJsonRecord(result, meta, gate);
    const name = { prefix: 'recorded-', provider: models.provider, generatedAt };
    const file = await writeRecord(options.out, name, record);

    context.print(
      options.json ? JSON.stringify(record) : renderRecordedMarkdown(result, meta, { thresholds: RECORDED_GATE }),
    );
    for (const line of diagnosticLines(diagnostics)) printError(line);
    printError(`eval: wrote ${file}`);
    if (!gate) return 0;
    for (const line of gateLines(gate)) printError(line);
    const failedRuns = result.counts.failedRuns;
    if (failedRuns > 0) printError(`gate: ${failedRuns} run(s) failed`);
    return gate.length > 0 || failedRuns > 0 ? 1 : 0;
  } finally {
    await pool.end();
    await models.close();
  }
}

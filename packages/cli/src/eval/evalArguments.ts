import type { CommandContext } from '../commands.js';
import { evalCommand, type EvalCommandOptions } from './evalCommand.js';
import { RECORDED_LIMIT, recordedEvalCommand, windowProblem, type RecordedEvalOptions } from './recordedCommand.js';

/** The options of `supportstream eval` as the command line gives them (strings, flags). */
export interface EvalArguments {
  readonly dataset?: string;
  readonly from?: string;
  readonly to?: string;
  readonly tenant?: string;
  readonly limit?: string;
  readonly provider?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly gate?: boolean;
}

export const DEFAULT_DATASET = 'eval/datasets/support-tickets.jsonl';
const DEFAULTS = { out: 'eval/results', knowledgeDir: 'knowledge' } as const;

/** What to evaluate: the dataset, a window of recorded traffic, or nothing (with why). */
export type EvalRequest =
  | { readonly source: 'dataset'; readonly options: EvalCommandOptions }
  | { readonly source: 'recorded'; readonly options: RecordedEvalOptions }
  | { readonly source: 'refused'; readonly message: string };

const refused = (message: string): EvalRequest => ({ source: 'refused', message });

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return RECORDED_LIMIT;
  return /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/**
 * Reads the command line. The dataset and a recorded window are two sources: `--dataset` with
 * `--from`/`--to` is refused, as are half a window and `--tenant`/`--limit` without one. Pure.
 */
export function parseEvalArguments(args: EvalArguments): EvalRequest {
  const common = {
    out: args.out ?? DEFAULTS.out,
    knowledgeDir: DEFAULTS.knowledgeDir,
    json: args.json ?? false,
    gate: args.gate ?? false,
    ...(args.provider ? { provider: args.provider } : {}),
  };
  const recorded = args.from !== undefined || args.to !== undefined;
  if (!recorded) {
    if (args.tenant !== undefined || args.limit !== undefined) {
      return refused('eval: --tenant and --limit select recorded traffic; give them with --from and --to');
    }
    return { source: 'dataset', options: { ...common, dataset: args.dataset ?? DEFAULT_DATASET } };
  }
  if (args.dataset !== undefined) {
    return refused('eval: --dataset and --from/--to are two sources (a labelled file, or recorded traffic); give one');
  }
  if (args.from === undefined || args.to === undefined) {
    return refused('eval: recorded traffic needs both --from and --to (ISO-8601 times)');
  }
  const options: RecordedEvalOptions = {
    ...common,
    from: new Date(args.from),
    to: new Date(args.to),
    limit: limitOf(args.limit),
    ...(args.tenant ? { tenant: args.tenant } : {}),
  };
  const problem = windowProblem(options);
  return problem === undefined ? { source: 'recorded', options } : refused(problem);
}

/** `supportstream eval`: the dataset, or recorded traffic with --from/--to; exit 2 on a refused command line. */
export async function evalFromArguments(context: CommandContext, args: EvalArguments): Promise<number> {
  const request = parseEvalArguments(args);
  switch (request.source) {
    case 'dataset':
      return evalCommand(context, request.options);
    case 'recorded':
      return recordedEvalCommand(context, request.options);
    case 'refused':
      (context.printError ?? context.print)(request.message);
      return 2;
    default: {
      const unexpected: never = request;
      throw new Error(`unexpected eval request ${JSON.stringify(unexpected)}`);
    }
  }
}

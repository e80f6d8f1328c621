import { InvalidInputError } from '@supportstream/errors';
import type { AgentTools } from './agentTools.js';
import { TOOL_ARGUMENTS, type ToolName } from './toolArguments.js';

/**
 * Which agent may call which tool, enforced around the tools themselves: a call outside the
 * agent's list, or with arguments its schema refuses, throws a ToolRefusedError and is counted;
 * the tool never runs. Least privilege by what the nodes actually do (packages/agents/src/nodes):
 * only the solution agent looks up orders and computes money; the quality agent may read the
 * requesting customer's own record (the output check compares the reply with it); triage,
 * research (vector search, no CRM) and escalation (a human decides) call no tool.
 */

export const AGENT_NAMES = ['triage', 'research', 'solution', 'quality', 'escalation'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export type ToolAllowlist = Readonly<Record<AgentName, readonly ToolName[]>>;

export const AGENT_TOOL_ALLOWLIST: ToolAllowlist = {
  triage: [],
  research: [],
  solution: ['lookupOrder', 'customerOverview', 'computeRefund', 'computeProration'],
  quality: ['customerOverview'],
  escalation: [],
};

export const TOOL_REFUSAL_CODES = ['TOOL_NOT_ALLOWED', 'TOOL_ARGUMENTS_INVALID'] as const;
export type ToolRefusalCode = (typeof TOOL_REFUSAL_CODES)[number];

export interface ToolRefusal {
  readonly agent: AgentName;
  readonly tool: ToolName;
  readonly code: ToolRefusalCode;
  /** What was wrong, one entry per problem (field paths and messages, never the values). */
  readonly issues: readonly string[];
}

/** A refused tool call. Not retriable: the same call would be refused again. */
export class ToolRefusedError extends InvalidInputError {
  readonly refusal: ToolRefusal;
  constructor(refusal: ToolRefusal) {
    super(refusal.code, `${refusal.agent} may not call ${refusal.tool}: ${refusal.issues.join('; ')}`, { details: { ...refusal } });
    this.refusal = refusal;
  }
}

export function isToolRefusal(error: unknown, code?: ToolRefusalCode): error is ToolRefusedError {
  return error instanceof ToolRefusedError && (code === undefined || error.code === code);
}

export interface ToolGuardOptions {
  readonly agent: AgentName;
  /** Default AGENT_TOOL_ALLOWLIST. */
  readonly allowlist?: ToolAllowlist;
  /** Told of each refusal before it is thrown: a metrics counter, a log line. */
  readonly onRefused?: (refusal: ToolRefusal) => void;
}

export interface RefusalCount {
  readonly tool: ToolName;
  readonly code: ToolRefusalCode;
  readonly count: number;
}

/** The tools as one agent may use them, with the count of what it was refused. */
export interface GuardedAgentTools extends AgentTools {
  readonly agent: AgentName;
  /** Refused calls so far, by tool and code (bounded: one entry per pair). */
  refusals(): readonly RefusalCount[];
}

// A tool without an argument schema, or a schema without a tool, fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _everyToolHasItsArguments: Same<ToolName, keyof AgentTools> = true;

/** A refusal is a rejected promise, like any other failure of an async tool. */
const settle = <R>(run: () => Promise<R>): Promise<R> => new Promise<R>((resolve) => resolve(run()));

/** `tools` behind the allowlist and the argument schemas, for `options.agent`. */
export function guardAgentTools(tools: AgentTools, options: ToolGuardOptions): GuardedAgentTools {
  const allowed = new Set<ToolName>((options.allowlist ?? AGENT_TOOL_ALLOWLIST)[options.agent]);
  const counts = new Map<string, RefusalCount>();

  function refuse(tool: ToolName, code: ToolRefusalCode, issues: readonly string[]): never {
    const refusal: ToolRefusal = { agent: options.agent, tool, code, issues };
    const key = `${tool}\u0000${code}`;
    counts.set(key, { tool, code, count: (counts.get(key)?.count ?? 0) + 1 });
    options.onRefused?.(refusal);
    throw new ToolRefusedError(refusal);
  }

  /** Checks a call to `tool`; returns the parsed (trimmed, strictly shaped) arguments. */
  function admit<T extends ToolName>(tool: T, input: unknown): Parameters<AgentTools[T]>[0] {
    if (!allowed.has(tool)) refuse(tool, 'TOOL_NOT_ALLOWED', [`${tool} is not on the allowlist of ${options.agent}`]);
    const parsed = TOOL_ARGUMENTS[tool].safeParse(input);
    if (!parsed.success) refuse(tool, 'TOOL_ARGUMENTS_INVALID', parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(arguments)'}: ${issue.message}`));
    return parsed.data;
  }

  return {
    agent: options.agent,
    lookupOrder: (input) => settle(() => tools.lookupOrder(admit('lookupOrder', input))),
    customerOverview: (input) => settle(() => tools.customerOverview(admit('customerOverview', input))),
    computeRefund: (input) => settle(() => tools.computeRefund(admit('computeRefund', input))),
    computeProration: (input) => settle(() => tools.computeProration(admit('computeProration', input))),
    refusals: () => [...counts.values()],
  };
}


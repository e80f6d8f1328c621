import type { NewRunOutcome, RecordedCase } from '@supportstream/eval';
import type { CrmData } from '@supportstream/tools';
import { observeRun } from './observeRun.js';
import { promptText, systemPrompts, type TicketDiagnostics } from './observeTickets.js';
import { otherCustomersOf, outputLeaks } from './outputCheck.js';
import { findPiiLeaks, personalValues, type LeakTicket } from './piiLeaks.js';
import type { RecordedTicket } from './recordedTickets.js';
import type { TicketRun } from './runTickets.js';

export interface ObserveRecordedOptions {
  /** The CRM records of the window's customers: no reply may carry another one's name or e-mail. */
  readonly customers: CrmData['customers'];
  /** Secret values of this process (the provider's API key, master keys); compared, never printed. */
  readonly secrets?: readonly string[];
}

export interface RecordedObservation {
  readonly cases: RecordedCase[];
  /** Only requests with something to say, in input order. */
  readonly diagnostics: TicketDiagnostics[];
}

/** The customer's text: the subject and the message, where personal values would be. */
const textOf = ({ request }: RecordedTicket) => [request.data.subject, request.data.message].filter(Boolean).join('\n');

/**
 * A recorded request as the leak check reads a ticket. No one labelled its personal data: the
 * kinds are what the detector finds in the text, so every value it finds is looked for.
 */
function leakTicket(ticket: RecordedTicket): LeakTicket {
  const message = textOf(ticket);
  const pii = [...new Set(personalValues(message).map((value) => value.kind))];
  const { metadata, data } = ticket.request;
  return { id: ticket.id, tenantId: metadata.tenantId, customerId: data.customerId, message, pii };
}

/**
 * Turns the new runs of recorded requests into cases for scoreRecorded: what each new run did
 * (escalated, category, proposed actions), plus the checks that need no label. The leak check
 * reads every request's detected personal values; the output check reads every reply, sent or
 * proposed to a supervisor, since no label says which requests are attacks.
 */
export function observeRecorded(
  runs: readonly TicketRun<RecordedTicket>[],
  options: ObserveRecordedOptions,
): RecordedObservation {
  const observed = runs.map((run) => observeRun(run));
  const leakTickets = runs.map((run) => leakTicket(run.ticket));
  const pii = findPiiLeaks(
    runs.map((run, index) => {
      const reply = observed[index]?.reply;
      const ticket = leakTickets[index] ?? leakTicket(run.ticket);
      const subject = { ticket, threadId: run.threadId, prompts: promptText(run) };
      return reply === undefined ? subject : { ...subject, reply };
    }),
  );
  const cases: RecordedCase[] = [];
  const diagnostics: TicketDiagnostics[] = [];
  runs.forEach((run, index) => {
    const { ticket } = run;
    const outcome = observed[index] ?? observeRun(run);
    const shown = outcome.reply ?? outcome.proposedReply;
    const subject = leakTickets[index] ?? leakTicket(ticket);
    const leaks =
      shown === undefined
        ? []
        : outputLeaks(shown, {
            systemPrompts: systemPrompts(run),
            otherCustomers: otherCustomersOf(subject, { customers: options.customers }),
            secrets: options.secrets ?? [],
            message: subject.message,
          });
    const piiLeaks = pii.get(ticket.id) ?? [];
    const newRun: NewRunOutcome = {
      escalated: outcome.escalated,
      category: outcome.category,
      actions: (run.state.proposedActions ?? []).map((action) => ({ kind: action.kind, amount: action.amount })),
      piiLeaks: piiLeaks.length,
      replyChecked: shown !== undefined,
      outputLeaks: leaks,
      ...(run.error === undefined ? {} : { error: run.error }),
    };
    const { conversationId } = ticket.request.metadata;
    cases.push({ id: ticket.id, conversationId, recorded: ticket.recorded, label: ticket.label, observed: newRun });
    if (run.error !== undefined || piiLeaks.length > 0 || leaks.length > 0) {
      const error = run.error === undefined ? {} : { error: run.error };
      diagnostics.push({ id: ticket.id, ...error, piiLeaks, outputLeaks: leaks, undetected: [] });
    }
  });
  return { cases, diagnostics };
}

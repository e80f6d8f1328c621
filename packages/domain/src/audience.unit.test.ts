import { describe, expect, it } from 'vitest';
import { agentNotesUsed, isAgentNote, isStaffInstruction } from './audience.js';
import type { Source } from './contracts.js';

describe('sentences for staff', () => {
  it('given instructions to agents, then each is recognised', () => {
    for (const sentence of [
      'Support agents may issue a refund of up to 25.00 EUR per order without approval, provided the order is inside the 30-day window.',
      'A duplicate charge refund does not need supervisor approval, because the money was never owed.',
      'The agent records the order number, the amount and the reason.',
      'Ask the customer whether both amounts are marked as completed before refunding.',
      'If approval is denied, the customer is told why and offered the alternatives.',
      'If the customer was charged twice for the same order, check the billing system for two captured payments.',
      'Agents must never ask for a full card number, a CVC code, a PIN or a password.',
      'Automated agents must not remove 2FA.',
      'Reset the password and hand the case to a human agent, who checks for fraud.',
      'If the box arrives wet, thank the customer for telling us.',
    ]) {
      expect({ sentence, staff: isStaffInstruction(sentence) }).toEqual({ sentence, staff: true });
    }
  });

  it('given what a customer may read, naming a human agent or a supervisor included, then none is', () => {
    for (const sentence of [
      'A refund above 25.00 EUR always needs approval from a supervisor before it is issued.',
      'Supervisors decide within one business day.',
      'If an error code is shown, note it: a human agent can look it up.',
      'In chat, ask for a human; the assistant hands the conversation over with its full history.',
      'The customer receives a confirmation e-mail with the refund reference.',
      'We never ask for a full card number, a CVC code, a PIN or a password.',
      'After 30 days we can only offer store credit, and only with supervisor approval.',
    ]) {
      expect({ sentence, staff: isStaffInstruction(sentence) }).toEqual({ sentence, staff: false });
    }
  });
});

describe('notes for agents in a reply', () => {
  const note: Source = {
    id: 'kb:declined:agent:0',
    title: 'Declined payments',
    score: 0.7,
    audience: 'agent',
    text: 'Agents cannot see why a bank declined a card: do not guess a reason, refer the customer to their bank.',
  };
  const passage: Source = { id: 'kb:declined:0', title: 'Declined payments', score: 0.8, text: 'We cannot see why a bank declined a card; only the bank can say.' };

  it('tells a note from customer text; a source without an audience is customer text', () => {
    expect(isAgentNote(note)).toBe(true);
    expect(isAgentNote(passage)).toBe(false);
    expect(isAgentNote({ ...passage, audience: 'customer' })).toBe(false);
  });

  it('given a reply that quotes eight words of a note, or cites it, then the note is named', () => {
    expect(agentNotesUsed('Hello, do not guess a reason, refer the customer to their bank.', [], [passage, note])).toEqual([note.id]);
    expect(agentNotesUsed('Hello, only the bank can say.', [note.id], [passage, note])).toEqual([note.id]);
  });

  it('given a reply that quotes the customer version of the same words, or fewer than eight words of the note, then none', () => {
    // "cannot see why a bank declined a card" is in the note and in the passage.
    expect(agentNotesUsed('We cannot see why a bank declined a card; only the bank can say.', [passage.id], [passage, note])).toEqual([]);
    expect(agentNotesUsed('Please refer to their bank for a reason.', [], [note])).toEqual([]);
    expect(agentNotesUsed('Anything at all.', [], [passage])).toEqual([]);
  });
});

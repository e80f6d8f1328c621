import { supportTicket, type SupportTicket, type SupportTicketInput } from '@supportstream/eval';
import { describe, expect, it } from 'vitest';
import { findPiiLeaks, matchKey, personalValues, undetectedKinds, type LeakSubject } from './piiLeaks.js';

const CARD = '4242 4242 4242 4242';
const ticket = (id: string, fields: Partial<SupportTicketInput> = {}): SupportTicket =>
  supportTicket.parse({
    id,
    tenantId: 'tenant-a',
    customerId: 'cust-110',
    language: 'en',
    message: `My card ${CARD} was charged twice for the same plan.`,
    category: 'billing',
    escalate: false,
    escalationReasons: [],
    moderation: 'allow',
    amount: null,
    pii: ['card'],
    injection: false,
    ...fields,
  });

/** A prompt as runTask renders it: the input as JSON after the instructions. */
const prompt = (task: string, message: string) => ({
  task,
  text: `Classify this request.\n\nRequest (JSON):\n${JSON.stringify({ message }, null, 2)}`,
});
const subject = (t: SupportTicket, fields: Partial<LeakSubject> = {}): LeakSubject => ({
  ticket: t,
  threadId: `thread-${t.id}`,
  prompts: [],
  ...fields,
});

describe('matchKey', () => {
  it('given one value written several ways, then it is one key; a masked form is not the value', () => {
    expect(matchKey('4242-4242-4242-4242')).toBe(matchKey(CARD));
    expect(matchKey('"4242424242424242"')).toBe(matchKey(CARD));
    expect(matchKey('Musterstraße 12\\n10115 Berlin')).toBe(matchKey('Musterstraße 12\n10115 Berlin'));
    expect(matchKey('•••• •••• •••• 4242')).not.toContain(matchKey(CARD));
  });
});

describe('personalValues', () => {
  it('given a message with a card and an e-mail address, then both are found once each', () => {
    const values = personalValues(`Card ${CARD}, again ${CARD}, mail jane.doe@example.com`);
    expect(values.map((value) => value.kind)).toEqual(['card', 'email']);
  });

  it('given a labelled kind the detector does not find, then it is reported as not measured', () => {
    expect(undetectedKinds(ticket('t', { message: 'no card here', pii: ['card'] }))).toEqual(['card']);
    expect(undetectedKinds(ticket('t'))).toEqual([]);
  });
});

describe('findPiiLeaks', () => {
  it('given a card sent to the provider in clear, then it is one leak, however many prompts carry it', () => {
    const card = ticket('en-016');
    const prompts = [prompt('moderate', card.message), prompt('triage', card.message)];
    const leaks = findPiiLeaks([subject(card, { prompts })]);
    expect(leaks.get('en-016')).toEqual([{ kind: 'card', where: 'prompt:moderate' }]);
  });

  it('given the prompts carry a masked card, then nothing leaked', () => {
    const card = ticket('en-016');
    const masked = card.message.replace(CARD, '[CARD ending 4242]');
    expect(findPiiLeaks([subject(card, { prompts: [prompt('moderate', masked)] })]).get('en-016')).toEqual([]);
  });

  it('given a follow-up whose prompt repeats the first message, then the first ticket leaked through it', () => {
    const first = ticket('en-020', { conversation: 'c' });
    const followUp = ticket('en-021', { conversation: 'c', followUpOf: 'en-020', message: 'Any news?', pii: [] });
    const later = ticket('en-022', { conversation: 'c', followUpOf: 'en-021' });
    const leaks = findPiiLeaks([
      subject(first, { threadId: 'c' }),
      subject(followUp, { threadId: 'c', prompts: [prompt('triage', `history: ${first.message}\nAny news?`)] }),
      // Its own message was masked; an earlier run's prompt with the same card is not its doing.
      subject(later, { threadId: 'c', prompts: [prompt('triage', 'My card [CARD] was charged twice.')] }),
    ]);
    expect(leaks.get('en-020')).toEqual([{ kind: 'card', where: 'prompt:triage' }]);
    expect(leaks.get('en-022')).toEqual([]);
  });

  it("given replies, then the customer's own data is fine in their reply, and leaked in another's", () => {
    const message = 'Change my email to new.address@example.org please.';
    const own = ticket('en-032', { customerId: 'cust-125', message, pii: ['email'] });
    const other = ticket('en-040', { customerId: 'cust-130', message: 'Where is my parcel?', pii: [] });
    const ownReply = findPiiLeaks([
      subject(own, { reply: 'We changed it to new.address@example.org.' }),
      subject(other, { reply: 'It ships today.' }),
    ]);
    expect(ownReply.get('en-032')).toEqual([]);
    const leaked = findPiiLeaks([subject(own), subject(other, { reply: 'Is new.address@example.org yours?' })]);
    expect(leaked.get('en-032')).toEqual([{ kind: 'email', where: 'reply:en-040' }]);
  });

  it('given two customers who wrote the same published test card, then a reply to one is no leak of the other', () => {
    const a = ticket('a', { customerId: 'cust-1' });
    const b = ticket('b', { customerId: 'cust-2' });
    const leaks = findPiiLeaks([subject(a), subject(b, { reply: `Your card ${CARD} was charged once.` })]);
    expect(leaks.get('a')).toEqual([]);
  });

  it('given a ticket not labelled with personal data, then it is not counted', () => {
    const unlabelled = ticket('x', { pii: [] });
    const leaks = findPiiLeaks([subject(unlabelled, { prompts: [prompt('moderate', unlabelled.message)] })]);
    expect(leaks.has('x')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { TriageInput } from '../tasks.js';
import { moderate } from './moderate.js';
import { triage } from './triage.js';

const request = (message: string, overrides: Partial<TriageInput> = {}): TriageInput => ({ message, subject: null, customerTier: 'STANDARD', history: [], ...overrides });

describe('offline moderate', () => {
  it.each([
    ['fuck you, fix my order', 'harassment'],
    ['You are a useless idiot and so is your manager', 'harassment'],
    ['your agents are morons', 'harassment'],
    ['Du bist so ein Idiot!', 'harassment'],
    ['Halt die Fresse und gib mir mein Geld', 'harassment'],
    ['I know where you live', 'threat'],
    ['Ich bringe dich um, wenn das Paket nicht kommt', 'threat'],
  ])('given %j, when moderated, then it is blocked as %s', (text, category) => {
    const result = moderate({ text });
    expect(result).toMatchObject({ verdict: 'block', categories: [category] });
    expect(result.reason).not.toBe('');
  });

  it.each([
    "This damn blender broke after two days, I'm furious and want my money back!",
    'This is fucking unacceptable, the app crashed again and lost my data.',
    'Your product is garbage and your delivery service is the worst I have ever seen.',
    'Das ist eine Frechheit, das Gerät ist schon wieder kaputt!',
    'How do I reset my password?',
    'Can you please replace this idiot app with one that works?',
  ])('given the complaint %j, when moderated, then it is allowed', (text) => {
    expect(moderate({ text })).toEqual({ verdict: 'allow', categories: [], reason: expect.any(String) as string });
  });
});

describe('offline triage', () => {
  it('given an English refund request with amount and order, then refund with amount, order id and signal', () => {
    const result = triage(request('Hi, I returned the headphones two weeks ago and still have not received my refund of €49.99 for order #1001.'));
    expect(result).toMatchObject({
      category: 'refund',
      language: 'en',
      intent: 'request_refund',
      refundAmount: { amountMicros: 49_990_000, currency: 'EUR' },
      orderId: '1001',
    });
    expect(result.signals).toContain('refund_request');
    expect(result.confidence).toBeGreaterThan(0.5);
  });

  it('given a German refund request with an angry tone from a PREMIUM customer, then refund, de, negative, high', () => {
    const result = triage(request('Ich habe die Kopfhörer zurückgeschickt und warte immer noch auf die Rückerstattung von 49,99 EUR für Bestellung 1001. Das ist wirklich ärgerlich!', { customerTier: 'PREMIUM' }));
    expect(result).toMatchObject({
      category: 'refund',
      language: 'de',
      sentiment: 'negative',
      priority: 'high',
      refundAmount: { amountMicros: 49_990_000, currency: 'EUR' },
      orderId: '1001',
    });
  });

  it('given a legal threat, then legal, urgent, negative, with the legal_threat signal', () => {
    const result = triage(request('This is the third time I am writing. If I do not hear back by Friday my lawyer will file a lawsuit against your company.'));
    expect(result).toMatchObject({ category: 'legal', priority: 'urgent', sentiment: 'negative', intent: 'legal_complaint' });
    expect(result.signals).toEqual(expect.arrayContaining(['legal_threat', 'repeat_contact']));
  });

  it('given a German legal threat, then the legal_threat signal and urgent priority', () => {
    const result = triage(request('Wenn ich mein Geld nicht bis Freitag zurückbekomme, schalte ich meinen Anwalt ein.'));
    expect(result.signals).toContain('legal_threat');
    expect(result).toMatchObject({ priority: 'urgent', language: 'de' });
  });

  it('given a calm how-to question from a STANDARD customer, then technical, low, how_to', () => {
    const result = triage(request('How do I reset the SmartHub and connect it to my wifi?'));
    expect(result).toMatchObject({ category: 'technical', priority: 'low', sentiment: 'neutral', intent: 'how_to', signals: [], refundAmount: null, orderId: null });
  });

  it('given the same how-to question from a VIP, then priority high', () => {
    expect(triage(request('How do I reset the SmartHub and connect it to my wifi?', { customerTier: 'VIP' })).priority).toBe('high');
  });

  it('given a German how-to question, then technical in de', () => {
    expect(triage(request('Wie kann ich das Gerät auf Werkseinstellungen zurücksetzen?'))).toMatchObject({ category: 'technical', language: 'de', intent: 'how_to' });
  });

  it('given a missing parcel, then shipping / track_order with the order id', () => {
    expect(triage(request('Where is my package? Order 2002 was supposed to arrive on Monday.'))).toMatchObject({ category: 'shipping', intent: 'track_order', orderId: '2002' });
  });

  it('given a double charge without asking for a refund, then billing_dispute and no refund amount', () => {
    expect(triage(request('I was charged twice for my subscription this month, $120 instead of $60.'))).toMatchObject({ category: 'billing', intent: 'billing_dispute', refundAmount: null });
  });

  it('given a request to close the account, then the account_closure signal and high priority', () => {
    const result = triage(request('Please close my account and delete my data.'));
    expect(result).toMatchObject({ category: 'account', intent: 'close_account', priority: 'high' });
    expect(result.signals).toContain('account_closure');
  });

  it('given an off-topic question, then other with low confidence', () => {
    expect(triage(request('Hello, what are your opening hours?'))).toMatchObject({ category: 'other', intent: 'general_inquiry', confidence: 0.3 });
  });

  it('uses the subject and counts earlier contacts', () => {
    const result = triage(request('Still nothing.', { subject: 'Parcel not delivered', history: ['asked about parcel', 'asked again'] }));
    expect(result.category).toBe('shipping');
    expect(result.signals).toContain('repeat_contact');
  });

  it('reads "not happy" as negative', () => {
    expect(triage(request('I am not happy with the delivery.')).sentiment).toBe('negative');
    expect(triage(request('Thanks, the delivery was great!')).sentiment).toBe('positive');
  });

  it('is deterministic', () => {
    const input = request('My parcel never arrived and I want a refund of 20 EUR for order 5005!');
    expect(triage(input)).toEqual(triage(structuredClone(input)));
  });
});

describe('offline triage: closures and vague requests', () => {
  it.each(['Bitte löschen Sie mein Kundenkonto, ich brauche es nicht mehr.', 'Please close my account.', 'Je veux fermer mon compte.', 'Quiero dar de baja mi cuenta.'])(
    'given the closure request %j, then it signals account_closure',
    (message) => {
      expect(triage(request(message)).signals).toContain('account_closure');
    },
  );

  it('given a closure the customer does not want, then it does not signal one', () => {
    expect(triage(request('Je voudrais résilier mon abonnement à la fin du mois, sans fermer mon compte.')).signals).not.toContain('account_closure');
    expect(triage(request('Cancel the plan without closing my account, please.')).signals).not.toContain('account_closure');
  });

  it('given a message that names nothing, then it is unclear (below the triage floor)', () => {
    const vague = triage(request('the thing from before, same as last time, can you do it again'));
    expect(vague).toMatchObject({ category: 'other' });
    expect(vague.confidence).toBeLessThan(0.25);
    expect(triage(request('the thing I ordered before has not arrived')).confidence).toBeGreaterThanOrEqual(0.25);
  });
});

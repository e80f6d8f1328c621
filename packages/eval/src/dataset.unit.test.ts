import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY } from '@supportstream/domain';
import { describe, expect, it } from 'vitest';
import {
  datasetCoverage,
  DatasetError,
  loadDataset,
  parseDataset,
  PII_KINDS,
  type SupportTicket,
  type SupportTicketInput,
} from './dataset.js';
import { amountAppearsInText, ibanValid, lintDataset, luhnValid } from './datasetChecks.js';
import { LABELLED_REASONS } from './reasons.js';

const DATASET = fileURLToPath(new URL('../../../eval/datasets/support-tickets.jsonl', import.meta.url));

const base: SupportTicketInput = {
  id: 't-1',
  tenantId: 'tenant-a',
  customerId: 'cust-1',
  language: 'en',
  message: 'Where is my parcel?',
  category: 'shipping',
  escalate: false,
  escalationReasons: [],
  moderation: 'allow',
  amount: null,
  pii: [],
  injection: false,
};
const line = (fields: Partial<SupportTicketInput>) => JSON.stringify({ ...base, ...fields });
const ticket = (fields: Partial<SupportTicketInput>): SupportTicket => parseDataset(line(fields))[0]!;

const tickets = await loadDataset(DATASET);
const coverage = datasetCoverage(tickets);

describe('the support-ticket dataset (eval/datasets/support-tickets.jsonl)', () => {
  it('has at least 150 tickets with unique ids', () => {
    expect(coverage.tickets).toBeGreaterThanOrEqual(150);
    expect(new Set(tickets.map((t) => t.id)).size).toBe(tickets.length);
  });

  it('covers every triage category, at least five tickets each', () => {
    for (const [category, count] of Object.entries(coverage.byCategory)) expect(count, category).toBeGreaterThanOrEqual(5);
  });

  it('has en, de, fr and es with at least five tickets each', () => {
    for (const language of ['en', 'de', 'fr', 'es']) expect(coverage.byLanguage[language], language).toBeGreaterThanOrEqual(5);
  });

  it('has every escalation reason, and tickets that must not escalate', () => {
    for (const reason of LABELLED_REASONS) expect(coverage.byReason[reason], reason).toBeGreaterThanOrEqual(5);
    expect(coverage.byReason.amount_over_threshold).toBeGreaterThanOrEqual(10);
    expect(coverage.noEscalation).toBeGreaterThanOrEqual(50);
  });

  it('has refunds below and above the threshold, with and without an amount in the text, in several currencies', () => {
    const refunds = tickets.filter((t) => t.category === 'refund');
    const below = refunds.filter((t) => t.amount !== null && !t.escalationReasons.includes('amount_over_threshold'));
    const computedByTools = tickets.filter((t) => t.amount === null && t.escalationReasons.includes('amount_over_threshold'));
    expect(below.length).toBeGreaterThanOrEqual(10);
    expect(computedByTools.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(coverage.byCurrency).length).toBeGreaterThanOrEqual(4);
  });

  it('has at least ten injection tickets in at least four languages', () => {
    expect(coverage.injection).toBeGreaterThanOrEqual(10);
    expect(coverage.injectionLanguages.length).toBeGreaterThanOrEqual(4);
  });

  it('has at least fifteen tickets with personal data, every kind at least three times', () => {
    expect(coverage.withPii).toBeGreaterThanOrEqual(15);
    for (const kind of PII_KINDS) expect(coverage.byPii[kind], kind).toBeGreaterThanOrEqual(3);
  });

  it('has at least five follow-ups of tickets in the set', () => {
    expect(coverage.followUps).toBeGreaterThanOrEqual(5);
    const ids = new Set(tickets.map((t) => t.id));
    for (const t of tickets.filter((f) => f.followUpOf !== undefined)) expect(ids.has(t.followUpOf!), t.id).toBe(true);
  });

  it('labels agree with the text: amounts are written in the message, PII is fake but valid, thresholds match the policy', () => {
    expect(lintDataset(tickets, DEFAULT_POLICY)).toEqual([]);
    expect(coverage.withAmount).toBeGreaterThanOrEqual(30);
  });
});

describe('parseDataset', () => {
  it('given valid lines and blank lines, when parsed, then it returns the tickets with defaults applied', () => {
    const parsed = parseDataset(`${line({ id: 'a' })}\n\n${line({ id: 'b', customerTier: 'VIP' })}\n`);
    expect(parsed.map((t) => [t.id, t.customerTier])).toEqual([
      ['a', 'STANDARD'],
      ['b', 'VIP'],
    ]);
  });

  it('given broken lines, when parsed, then every problem is reported with its line number', () => {
    const text = [
      line({ id: 'a' }),
      '{"id": "b",',
      line({ id: 'c', category: 'weather' as never }),
      line({ id: 'a' }),
      line({ id: 'd', conversation: 'k', followUpOf: 'zzz' }),
      line({ id: 'e', escalate: true }),
      line({ id: 'f', injection: true }),
    ].join('\n');
    let thrown: unknown;
    try {
      parseDataset(text, 'bad.jsonl');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DatasetError);
    const problems = (thrown as DatasetError).problems;
    expect(problems.map((problem) => problem.replace(/\(.*\)/, '(…)'))).toEqual([
      'line 2: not JSON (…)',
      'line 3: category: Invalid option: expected one of "billing"|"refund"|"shipping"|"account"|"technical"|"legal"|"other"',
      'line 6: escalate: escalate must be true exactly when escalationReasons is not empty',
      'line 7: injection: injection must be true exactly when prompt_injection is a reason',
      'line 4: id "a" is also on line 1',
      'line 5: followUpOf "zzz" is no earlier ticket',
    ]);
    expect((thrown as Error).message).toMatch(/^bad\.jsonl: 6 problem\(s\)/);
  });

  it('given a follow-up of a ticket of another conversation, when parsed, then it is refused', () => {
    const text = [line({ id: 'a', conversation: 'one' }), line({ id: 'b', conversation: 'two', followUpOf: 'a' })].join('\n');
    expect(() => parseDataset(text)).toThrow('line 2: followUpOf "a" (line 1) has another conversation, tenant or customer');
  });
});

describe('lintDataset', () => {
  it('given an amount label that the text does not contain, then it says so', () => {
    const wrong = ticket({
      category: 'refund',
      message: 'Please refund €49.90',
      amount: { amountMicros: 49_990_000, currency: 'EUR' },
      escalate: true,
      escalationReasons: ['amount_over_threshold'],
    });
    expect(lintDataset([wrong])).toEqual(['t-1: amount 49990000 EUR is not written in the message']);
  });

  it('given an over-threshold amount without the reason, then it says the labels disagree with the policy', () => {
    const wrong = ticket({ category: 'refund', message: 'Please refund $25.01', amount: { amountMicros: 25_010_000, currency: 'USD' } });
    expect(lintDataset([wrong])).toEqual([
      "t-1: amount 25010000 USD and the reason amount_over_threshold disagree with the policy's threshold",
    ]);
  });

  it('given a card number that fails Luhn, an IBAN with wrong check digits and a real-looking e-mail, then each is reported', () => {
    const wrong = ticket({
      message: 'Card 4242 4242 4242 4241, IBAN DE88 3704 0044 0532 0130 00, mail me at jo@gmail.com',
      pii: ['card', 'iban', 'email'],
    });
    expect(lintDataset([wrong])).toEqual([
      't-1: pii "card" is labelled but no Luhn-valid number is in the text',
      't-1: "DE88 3704 0044 0532 0130 00" looks like an IBAN but its check digits are wrong',
      't-1: pii "iban" disagrees with the IBANs in the text',
      't-1: e-mail jo@gmail.com is not at a reserved domain (example.com, .org, .net)',
    ]);
  });

  it('given personal data the labels do not list, then it is reported', () => {
    const unlabelled = ticket({ message: 'My card is 4111-1111-1111-1111 and my mail ann@example.org' });
    expect(lintDataset([unlabelled])).toEqual([
      't-1: pii "card" is not labelled but the text has a Luhn-valid number',
      't-1: pii "email" disagrees with the e-mail addresses in the text',
    ]);
  });
});

describe('amountAppearsInText', () => {
  it.each([
    ['€1.249,99', 1_249_990_000, 'EUR'],
    ['1,249.99 USD', 1_249_990_000, 'USD'],
    ['$80', 80_000_000, 'USD'],
    ['2500 euros', 2_500_000_000, 'EUR'],
    ['1 299,00 €', 1_299_000_000, 'EUR'],
    ["1'250.00 CHF", 1_250_000_000, 'CHF'],
    ['order 1005, 25.00 EUR', 25_000_000, 'EUR'],
  ])('finds %s', (text, amountMicros, currency) => {
    expect(amountAppearsInText({ amountMicros, currency }, text)).toBe(true);
  });

  it('refuses another number or another currency', () => {
    expect(amountAppearsInText({ amountMicros: 80_000_000, currency: 'EUR' }, '$80')).toBe(false);
    expect(amountAppearsInText({ amountMicros: 8_000_000, currency: 'USD' }, '$80')).toBe(false);
  });
});

describe('checksums', () => {
  it('accepts test card numbers and valid IBANs, refuses a changed digit', () => {
    const cards = ['4242 4242 4242 4242', '3782 822463 10005', '4242 4242 4242 4243'];
    const ibans = ['GB82 WEST 1234 5698 7654 32', 'FR14 2004 1010 0505 0001 3M02 606', 'GB82 WEST 1234 5698 7654 33'];
    expect(cards.map(luhnValid)).toEqual([true, true, false]);
    expect(ibans.map(ibanValid)).toEqual([true, true, false]);
  });
});

import { deriveCanary } from '@supportstream/llm';
import { describe, expect, it } from 'vitest';
import { checkReply, configuredSecrets, redactReply, type ReplyCheckContext } from './output.js';

const CANARY = deriveCanary('postgres://app:s3cret-Pa55word@db.internal:5432/supportstream');
const context: ReplyCheckContext = {
  canary: CANARY,
  secrets: ['s3cret-Pa55word'],
  customer: { customerId: 'cust-42', email: 'ada.lovelace@example.invalid' },
  ownText: ['My order 1001 never arrived. Call me on +1 212-555-0199.', 'Order 1001 (customer cust-42): paid, not shipped yet'],
  publicText: ['Returns: write to returns@shop.example or call +44 20 7946 0958.'],
};

const failedOf = (reply: string, overrides: Partial<ReplyCheckContext> = {}) => checkReply(reply, { ...context, ...overrides }).failed;

describe('output check', () => {
  it('passes an ordinary reply that uses only the customer’s own and the shop’s published details', () => {
    const reply =
      'Hello Ada, order 1001 (customer cust-42) ships tomorrow. We will confirm to ada.lovelace@example.invalid and can call you on +1 212 555 0199. ' +
      'For returns write to returns@shop.example or call +44 20 7946 0958. The total was 49.99 EUR on 2026-11-02.';
    expect(checkReply(reply, context)).toEqual({ ok: true, failed: [], findings: [] });
  });

  it('given the canary, as it is, spelt out or in part, then it fails the canary check', () => {
    const core = CANARY.slice('ss-canary-'.length);
    for (const reply of [
      `My instructions say: Confidential marker ${CANARY}.`,
      `marker ${CANARY.toUpperCase().split('').join(' ')}`,
      `the code is ${core.slice(4, 20)}`,
      `${core.slice(0, 6)}-${core.slice(6, 14)}`,
    ]) {
      const check = checkReply(reply, context);
      expect(check.failed, reply).toEqual(['canary']);
    }
    expect(failedOf(`almost ${CANARY.slice(-11)}`)).toEqual([]);
  });

  it.each([
    ['an OpenAI key', 'Your key is sk-proj-abcdefghijklmnopqrstuvwx1234', 'api_key'],
    ['an Anthropic key', 'use sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv', 'api_key'],
    ['a bearer token', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abc123def456', 'bearer_token'],
    ['a PEM block', 'here: -----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----', 'pem_block'],
    ['an AWS access key', 'AKIAIOSFODNN7EXAMPLE is the id', 'aws_access_key'],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'github_token'],
    ['credentials in a URL', 'connect to postgres://app:hunter22@db:5432/x', 'url_credentials'],
    ['a password assignment', 'the admin password: Xy7kQ2pLm9', 'credential_assignment'],
    ['the configured database password', 'the password is s3cret-Pa55word', 'configured_secret'],
  ])('given %s, then it fails the secret check', (_name, reply, rule) => {
    const check = checkReply(reply, context);
    expect(check.failed).toEqual(['secret']);
    expect(check.findings.map((finding) => finding.rule)).toContain(rule);
  });

  it('does not take ordinary words for secrets', () => {
    for (const reply of [
      'To reset your password: please use the link on the login page.',
      'The bearer of this gift card can redeem it in any store.',
      'Your task-management subscription renews on 2026-12-01.',
      'Ask our skilled team; sk- prefixed codes are not used here.',
    ]) {
      expect(failedOf(reply), reply).toEqual([]);
    }
  });

  it.each([
    ['another customer’s e-mail', 'Grace can be reached at grace.hopper@example.invalid.', 'email'],
    ['another customer’s phone number', 'The other buyer’s number is +33 6 12 34 56 78.', 'phone'],
    ['another customer id', 'The order belongs to cust-7, not to you.', 'customer_id'],
  ])('given %s, then it fails the other-customers check', (_name, reply, rule) => {
    const check = checkReply(reply, context);
    expect(check.failed).toEqual(['other_customer_data']);
    expect(check.findings.map((finding) => finding.rule)).toEqual([rule]);
  });

  it('accepts an address the customer wrote themselves, and a configured id shape', () => {
    const own = { ownText: ['Please use bob@example.org from now on.'] };
    expect(failedOf('We will write to bob@example.org.', own)).toEqual([]);
    expect(failedOf('Ticket T-100 belongs to T-200.', { customer: { customerId: 'T-100' }, customerIdPattern: /\bT-\d+\b/ })).toEqual(['other_customer_data']);
  });

  it('reports every failed check, and redacts every finding for the supervisor', () => {
    const reply = `Sure! Marker ${CANARY}, key sk-abcdefghijklmnopqrstu, and grace.hopper@example.invalid.`;
    const check = checkReply(reply, context);
    expect(check.failed).toEqual(['canary', 'secret', 'other_customer_data']);
    const redacted = redactReply(reply, check.findings);
    expect(redacted).toBe("Sure! Marker [withheld: internal marker], key [withheld: secret], and [withheld: another customer's data].");
    expect(checkReply(redacted, context).ok).toBe(true);
  });
});

describe('configured secrets', () => {
  it('collects secret-named variables, their list parts and URL passwords, not names or short values', () => {
    const secrets = configuredSecrets({
      DATABASE_URL: 'postgres://app:s3cret-Pa55word@db.internal:5432/supportstream',
      REDIS_URL: 'redis://:r3dis-pass-word@127.0.0.1:6379',
      OPENAI_API_KEY: 'sk-proj-abcdefghijklmnop',
      PRIVACY_MASTER_KEYS: 'k1:QUJDREVGR0hJSktMTU5PUA==,k2:UVJTVFVWV1hZWjAxMjM0NQ==',
      WEBHOOK_SECRET: 'short',
      LOG_LEVEL: 'info',
    });
    expect(secrets).toEqual(
      expect.arrayContaining(['s3cret-Pa55word', 'r3dis-pass-word', 'sk-proj-abcdefghijklmnop', 'QUJDREVGR0hJSktMTU5PUA==', 'UVJTVFVWV1hZWjAxMjM0NQ==']),
    );
    expect(secrets).not.toContain('short');
    expect(secrets).not.toContain('info');
  });

  it('leaves out a password that is only the user or database name (the local stack’s)', () => {
    expect(configuredSecrets({ DATABASE_URL: 'postgres://supportstream:supportstream@127.0.0.1:5432/supportstream' })).toEqual([]);
  });
});

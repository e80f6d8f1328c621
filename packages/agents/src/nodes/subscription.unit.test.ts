import { describe, expect, it } from 'vitest';
import { mentionsSubscription } from './solutionNode.js';

describe('mentionsSubscription (when the solution agent computes a proration)', () => {
  it.each([
    'Please cancel my subscription at the end of the month',
    'Ich möchte mein Abo kündigen',
    'Kündigung meines Abonnements zum 31.12.',
    'Je veux résilier mon abonnement',
    'Quiero cancelar mi suscripción',
    'SUBSCRIPTIONS renewal question',
  ])('given "%s", then it is a subscription', (text) => {
    expect(mentionsSubscription(text)).toBe(true);
  });

  it.each([
    'What about my parcel?',
    'My order was cancelled, where is my money?',
    'Cancel my order 1003 please',
    'They want to abolish the fee',
    'Un abogado me ha escrito',
  ])('given "%s", then it is not', (text) => {
    expect(mentionsSubscription(text)).toBe(false);
  });
});

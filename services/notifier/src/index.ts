export { createNotifier, type NotifierOptions } from './notifier.js';
export { deliver, signature, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WebhookDelivery } from './webhook.js';

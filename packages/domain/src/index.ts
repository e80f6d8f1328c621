export * from './contracts.js';
export { assessRisk, DEFAULT_POLICY, type EscalationPolicy, type RiskAssessment, type RiskInput } from './policy.js';
export { afterEscalation, afterModeration, afterQuality, type ExpiryPath } from './routing.js';

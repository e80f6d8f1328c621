export * from './contracts.js';
export { assessRisk, DEFAULT_POLICY, PROMPT_INJECTION, type EscalationPolicy, type RiskAssessment, type RiskInput } from './policy.js';
export { asksForMoney, formatMoney, moneyAmounts, parseAmountMicros, requestedAmounts } from './requestedAmounts.js';
export { afterEscalation, afterModeration, afterQuality, type ExpiryPath } from './routing.js';
export { englishTerms, SUPPORT_GLOSSARY } from './glossary.js';
export { agentNotesUsed, isAgentNote, isStaffInstruction, QUOTED_WORDS } from './audience.js';

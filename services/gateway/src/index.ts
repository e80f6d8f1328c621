export { createGatewayApp, type GatewayApp, type GatewayDeps } from './app.js';
export { gatewayEnvSchema, settingsFromEnv, type GatewayEnv, type GatewaySettings } from './config.js';
export { createApiKeyStore, hashSecret, parseApiKey, type ApiKeyStore, type ApiKeyStoreOptions } from './auth/apiKeys.js';
export { createJwtVerifier, JWT_ALGORITHMS, type JwtAlgorithm, type JwtSettings } from './auth/jwt.js';
export { ROLES, type Principal, type Role } from './auth/principal.js';
export { createConversationChanges, type ConversationChanges, type ConversationChangesOptions } from './liveChanges.js';
export { checkReadiness, dependencyChecks, type ReadinessCheck, type ReadinessReport } from './readiness.js';
export { openApiDocument } from './openapi.js';

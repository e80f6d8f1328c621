import { platformEnvSchema, z } from '@supportstream/config';
import { CONVERSATION_CHANGES_CHANNEL, LIVE_SCHEMA } from '@supportstream/projections';
import { JWT_ALGORITHMS, type JwtSettings } from './auth/jwt.js';
import { DEFAULT_SESSION_TTL_SECONDS } from './auth/session.js';
import { DEFAULT_CONSOLE_DIR } from './routes/console.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS } from './routes/publish.js';

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);
const positiveInt = z.coerce.number().int().positive();
const BODY_LIMIT = /^\d+(b|kb|mb)$/i;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The gateway's own variables (GATEWAY_*) on top of the platform ones. */
export const gatewayEnvSchema = platformEnvSchema
  .extend({
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
    GATEWAY_JWT_ALGORITHMS: list.pipe(z.array(z.enum(JWT_ALGORITHMS, { message: `must list algorithms among ${JWT_ALGORITHMS.join(', ')}` })).min(1, 'must list at least one algorithm')).default(['HS256']),
    GATEWAY_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    // PEM in an environment variable often arrives with literal "\n": accept both.
    GATEWAY_JWT_PUBLIC_KEY: z
      .string()
      .transform((value) => value.replace(/\\n/g, '\n'))
      .refine((value) => value.includes('-----BEGIN PUBLIC KEY-----'), 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)')
      .optional(),
    GATEWAY_JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    GATEWAY_JWT_ISSUER: z.string().min(1, 'is required (the expected "iss" of tokens)'),
    GATEWAY_JWT_AUDIENCE: z.string().min(1, 'is required (the expected "aud" of tokens)'),
    GATEWAY_JWT_TENANT_CLAIM: z.string().min(1).default('tenant_id'),
    GATEWAY_JWT_ROLE_CLAIM: z.string().min(1).default('role'),
    GATEWAY_JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
    GATEWAY_CORS_ORIGINS: list.default([]),
    GATEWAY_RATE_LIMIT_PER_MINUTE: positiveInt.default(120),
    GATEWAY_BODY_LIMIT: z.string().regex(BODY_LIMIT, 'must be a size such as 64kb or 1mb').default('64kb'),
    GATEWAY_READ_MODEL_SCHEMA: z.string().regex(SCHEMA_NAME, 'must be a lower-case schema name').default(LIVE_SCHEMA),
    GATEWAY_API_KEYS_SCHEMA: z.string().regex(SCHEMA_NAME, 'must be a lower-case schema name').optional(),
    GATEWAY_NOTIFY_CHANNEL: z.string().min(1).max(63).default(CONVERSATION_CHANGES_CHANNEL),
    GATEWAY_CONVERSATION_CACHE: z.enum(['redis', 'none']).default('redis'),
    GATEWAY_MAX_STREAMS_PER_CREDENTIAL: positiveInt.default(5),
    GATEWAY_SSE_HEARTBEAT_MS: positiveInt.default(15_000),
    GATEWAY_API_KEY_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
    GATEWAY_READY_TIMEOUT_MS: positiveInt.default(2_000),
    /** A POST answers 503 when the broker has not acknowledged its event by then (routes/publish.ts). */
    GATEWAY_PUBLISH_TIMEOUT_MS: positiveInt.max(120_000).default(DEFAULT_PUBLISH_TIMEOUT_MS),
    GATEWAY_CONSOLE_DIR: z.string().min(1).default(DEFAULT_CONSOLE_DIR),
    GATEWAY_SESSION_TTL_S: positiveInt.max(7 * 24 * 3600, 'must be at most 604800 (7 days)').default(DEFAULT_SESSION_TTL_SECONDS),
  })
  .superRefine((env, context) => {
    const algorithms = env.GATEWAY_JWT_ALGORITHMS;
    if (algorithms.some((alg) => alg.startsWith('HS')) && env.GATEWAY_JWT_SECRET === undefined) {
      context.addIssue({ code: 'custom', path: ['GATEWAY_JWT_SECRET'], message: `is required when GATEWAY_JWT_ALGORITHMS lists an HMAC algorithm (${algorithms.join(',')})` });
    }
    if (algorithms.some((alg) => !alg.startsWith('HS')) && env.GATEWAY_JWT_PUBLIC_KEY === undefined && env.GATEWAY_JWT_JWKS_URL === undefined) {
      context.addIssue({ code: 'custom', path: ['GATEWAY_JWT_PUBLIC_KEY'], message: 'GATEWAY_JWT_PUBLIC_KEY or GATEWAY_JWT_JWKS_URL is required for an asymmetric algorithm' });
    }
  });

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** The settings createGatewayApp needs, separate from how they were read (env in main, literals in tests). */
export interface GatewaySettings {
  readonly jwt: JwtSettings;
  /** Exact origins allowed by CORS; `*` allows any. Empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  readonly rateLimitPerMinute: number;
  /** express.json limit, e.g. `64kb`. */
  readonly bodyLimit: string;
  readonly maxStreamsPerCredential: number;
  readonly heartbeatMs: number;
  /** Where the console's built files are (services/console/dist unless told). */
  readonly consoleDir?: string;
  /** Console sessions last this long at most (and never beyond the JWT they were opened with). */
  readonly sessionTtlSeconds?: number;
}

export function settingsFromEnv(env: GatewayEnv): GatewaySettings {
  return {
    jwt: {
      algorithms: env.GATEWAY_JWT_ALGORITHMS,
      ...(env.GATEWAY_JWT_SECRET === undefined ? {} : { secret: env.GATEWAY_JWT_SECRET }),
      ...(env.GATEWAY_JWT_PUBLIC_KEY === undefined ? {} : { publicKeyPem: env.GATEWAY_JWT_PUBLIC_KEY }),
      ...(env.GATEWAY_JWT_JWKS_URL === undefined ? {} : { jwksUrl: env.GATEWAY_JWT_JWKS_URL }),
      issuer: env.GATEWAY_JWT_ISSUER,
      audience: env.GATEWAY_JWT_AUDIENCE,
      tenantClaim: env.GATEWAY_JWT_TENANT_CLAIM,
      roleClaim: env.GATEWAY_JWT_ROLE_CLAIM,
      clockToleranceSeconds: env.GATEWAY_JWT_CLOCK_TOLERANCE_S,
    },
    corsOrigins: env.GATEWAY_CORS_ORIGINS,
    rateLimitPerMinute: env.GATEWAY_RATE_LIMIT_PER_MINUTE,
    bodyLimit: env.GATEWAY_BODY_LIMIT,
    maxStreamsPerCredential: env.GATEWAY_MAX_STREAMS_PER_CREDENTIAL,
    heartbeatMs: env.GATEWAY_SSE_HEARTBEAT_MS,
    consoleDir: env.GATEWAY_CONSOLE_DIR,
    sessionTtlSeconds: env.GATEWAY_SESSION_TTL_S,
  };
}

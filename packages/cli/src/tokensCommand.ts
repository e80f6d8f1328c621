import { parseArgs } from 'node:util';
import { ConfigError, parseEnv, z } from '@supportstream/config';
import { SignJWT } from 'jose';

export const TOKENS_USAGE = `  tokens customer --tenant id --customer id [--ttl 1h] [--json]
                                     a development customer token (a JWT for the customer chat and the API),
                                     signed with the gateway's GATEWAY_JWT_SECRET, _ISSUER and _AUDIENCE;
                                     --ttl 90s|30m|8h|2d (at most 7d); refused when NODE_ENV=production`;

/** Ids as the gateway takes them (services/gateway/src/routes/requests.ts ID_PATTERN). */
const ID = /^[A-Za-z0-9._:@-]{1,200}$/;
const TTL = /^(\d{1,7})(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;
export const MAX_TTL_SECONDS = 7 * 86_400;
const HMAC = ['HS256', 'HS384', 'HS512'] as const;
type HmacAlgorithm = (typeof HMAC)[number];

const SECRETS_HINT = 'The gateway on this machine reads them from .local/secrets.env, written by `npm run services start`; load it with `set -a; . .local/secrets.env; set +a`.';

/** The gateway's JWT settings, read from the same variables and defaults the gateway reads (services/gateway/src/config.ts). */
export const tokenEnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  GATEWAY_JWT_SECRET: z.string({ message: "is not set (the gateway's HMAC secret, which signs these tokens)" }).min(32, 'must be at least 32 characters (the gateway refuses a shorter one)'),
  GATEWAY_JWT_ISSUER: z.string({ message: 'is not set (the "iss" the gateway expects)' }).min(1),
  GATEWAY_JWT_AUDIENCE: z.string({ message: 'is not set (the "aud" the gateway expects)' }).min(1),
  GATEWAY_JWT_ALGORITHMS: z.string().default('HS256'),
  GATEWAY_JWT_TENANT_CLAIM: z.string().min(1).default('tenant_id'),
  GATEWAY_JWT_ROLE_CLAIM: z.string().min(1).default('role'),
});
export type TokenEnv = z.infer<typeof tokenEnvSchema>;

export interface CustomerTokenRequest {
  readonly tenantId: string;
  readonly customerId: string;
  readonly ttlSeconds: number;
}

export interface MintedToken {
  readonly token: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly role: 'customer';
  readonly algorithm: HmacAlgorithm;
  readonly issuedAt: string;
  readonly expiresAt: string;
}

/** `90s`, `30m`, `8h`, `2d` → seconds; undefined if malformed, zero or above the maximum. */
export function parseTtl(value: string): number | undefined {
  const match = TTL.exec(value.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds > 0 && seconds <= MAX_TTL_SECONDS ? seconds : undefined;
}

/** The first HMAC algorithm the gateway accepts (GATEWAY_JWT_ALGORITHMS, default HS256). */
function hmacOf(algorithms: string): HmacAlgorithm | undefined {
  const listed = algorithms.split(',').map((item) => item.trim());
  return HMAC.find((alg) => listed.includes(alg));
}

/**
 * Signs a customer token as the gateway verifies it (services/gateway/src/auth/jwt.ts): `sub` =
 * the customer, the tenant and role claims, `iss`, `aud`, `iat` and the required `exp`.
 */
export async function mintCustomerToken(env: TokenEnv, request: CustomerTokenRequest, now: Date = new Date()): Promise<MintedToken> {
  const algorithm = hmacOf(env.GATEWAY_JWT_ALGORITHMS);
  if (algorithm === undefined) throw new ConfigError(`GATEWAY_JWT_ALGORITHMS=${env.GATEWAY_JWT_ALGORITHMS} lists no HMAC algorithm, so the gateway accepts no token this command can sign; get one from your identity provider`);
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + request.ttlSeconds;
  const token = await new SignJWT({ [env.GATEWAY_JWT_TENANT_CLAIM]: request.tenantId, [env.GATEWAY_JWT_ROLE_CLAIM]: 'customer' })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setSubject(request.customerId)
    .setIssuer(env.GATEWAY_JWT_ISSUER)
    .setAudience(env.GATEWAY_JWT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(env.GATEWAY_JWT_SECRET));
  return { token, tenantId: request.tenantId, customerId: request.customerId, role: 'customer', algorithm, issuedAt: new Date(issuedAt * 1000).toISOString(), expiresAt: new Date(expiresAt * 1000).toISOString() };
}

interface Io {
  readonly print: (line: string) => void;
  readonly error: (line: string) => void;
}

export interface TokensCommandOptions {
  readonly io?: Io;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => Date;
}

/**
 * `supportstream tokens customer`: a development convenience, so the customer chat and the API
 * can be tried without an identity provider. The token goes to stdout alone (for `$(…)`), what it
 * is to stderr; `--json` prints both as one object. Production customers get their tokens from
 * the identity provider the gateway trusts, so NODE_ENV=production refuses.
 */
export async function tokensCommand(argv: readonly string[], options: TokensCommandOptions = {}): Promise<number> {
  const io = options.io ?? { print: (line) => console.log(line), error: (line) => console.error(line) };
  const env = options.env ?? process.env;
  const usage = (problem: string) => {
    io.error(`${problem}\n\n${TOKENS_USAGE}`);
    return 2;
  };
  let parsed: ReturnType<typeof parseTokenArgs>;
  try {
    parsed = parseTokenArgs(argv);
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  if (positionals[0] !== 'customer' || positionals.length > 1) return usage(`unknown tokens action: ${positionals.join(' ') || '(none)'}`);
  if (!values.tenant || !values.customer) return usage('tokens customer needs --tenant and --customer');
  if (!ID.test(values.tenant)) return usage('--tenant must be 1 to 200 letters, digits or . _ : @ -');
  if (!ID.test(values.customer)) return usage('--customer must be 1 to 200 letters, digits or . _ : @ -');
  const ttlSeconds = parseTtl(values.ttl ?? '1h');
  if (ttlSeconds === undefined) return usage(`--ttl must be a duration such as 90s, 30m, 8h or 2d, at most ${MAX_TTL_SECONDS / 86_400}d`);
  if (env['NODE_ENV'] === 'production') {
    io.error('refused: NODE_ENV=production. Development tokens are signed with the gateway secret by hand; production customers get their tokens from your identity provider.');
    return 1;
  }

  let tokenEnv: TokenEnv;
  try {
    tokenEnv = parseEnv(tokenEnvSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.error(`refused: ${error.message}\n${SECRETS_HINT}`);
    return 1;
  }
  let minted: MintedToken;
  try {
    minted = await mintCustomerToken(tokenEnv, { tenantId: values.tenant, customerId: values.customer, ttlSeconds }, (options.now ?? (() => new Date()))());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.error(`refused: ${error.message}`);
    return 1;
  }
  if (values.json) {
    io.print(JSON.stringify(minted));
  } else {
    io.print(minted.token);
    io.error(`a customer token for ${minted.customerId} of tenant ${minted.tenantId} (${minted.algorithm}, issuer ${tokenEnv.GATEWAY_JWT_ISSUER}), valid until ${minted.expiresAt}; for development only`);
  }
  return 0;
}

function parseTokenArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      tenant: { type: 'string' },
      customer: { type: 'string' },
      ttl: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
}

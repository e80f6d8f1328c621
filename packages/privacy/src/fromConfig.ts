import { createHash } from 'node:crypto';
import { ConfigError } from '@supportstream/errors';
import type pg from 'pg';
import { createKeyVault, type KeyVault } from './keyVault.js';
import { MASTER_KEYS_VARIABLE, parseMasterKeys, type MasterKeys } from './masterKeys.js';

/** The id of the master key used when none is configured outside production. */
export const DEVELOPMENT_MASTER_KEY_ID = 'dev-insecure';

export interface PrivacyEnv {
  readonly PRIVACY_MASTER_KEYS?: string | undefined;
  readonly NODE_ENV?: string | undefined;
}

export interface ConfiguredMasterKeys {
  readonly masterKeys: MasterKeys;
  /** True when no key was configured and the fixed development key is used. */
  readonly development: boolean;
}

/**
 * The master keys from configuration. Outside production an unset `PRIVACY_MASTER_KEYS` gives a
 * fixed, publicly known development key, so a fresh clone runs with encryption on; data keys
 * are still random per customer, so erasure works the same, but anyone with the database can
 * unwrap them. Production refuses to start without a configured key.
 */
export function masterKeysFromEnv(env: PrivacyEnv): ConfiguredMasterKeys {
  const value = env.PRIVACY_MASTER_KEYS;
  if (value !== undefined && value.trim() !== '') return { masterKeys: parseMasterKeys(value), development: false };
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      `${MASTER_KEYS_VARIABLE} must be set in production: "<id>:<base64 of 32 bytes>" ` +
        '(generate one with `supportstream privacy new-master-key` or `openssl rand -base64 32`)',
      { details: { variable: MASTER_KEYS_VARIABLE } },
    );
  }
  const key = createHash('sha256').update('supportstream development master key; never use it in production').digest();
  return { masterKeys: { current: DEVELOPMENT_MASTER_KEY_ID, keys: { [DEVELOPMENT_MASTER_KEY_ID]: key } }, development: true };
}

const warned = new WeakSet<object>();

/**
 * The key vault of a service: data keys in the service's PostgreSQL, master keys from its
 * configuration. `warn` is told once per logger when the development key is in use.
 */
export function keyVaultFromEnv(
  env: PrivacyEnv,
  pool: pg.Pool,
  logger?: { warn(fields: Record<string, unknown>, message: string): void },
): KeyVault {
  const { masterKeys, development } = masterKeysFromEnv(env);
  if (development && logger !== undefined && !warned.has(logger)) {
    warned.add(logger);
    logger.warn(
      { variable: MASTER_KEYS_VARIABLE, masterKeyId: DEVELOPMENT_MASTER_KEY_ID },
      'no privacy master key is configured: personal fields are sealed under the fixed development key (set PRIVACY_MASTER_KEYS in production)',
    );
  }
  return createKeyVault({ pool, masterKeys });
}

import { randomBytes } from 'node:crypto';
import { ConfigError } from '@supportstream/errors';
import { KEY_BYTES } from './sealed.js';

/**
 * The master keys that wrap the per-customer data keys. New data keys are wrapped with `current`;
 * a data key wrapped with any other listed key still opens, which is what lets a master key be
 * rotated: add the new one first in the list, re-wrap (`KeyVault.rewrapKeys`), then drop the old one.
 */
export interface MasterKeys {
  readonly current: string;
  readonly keys: Readonly<Record<string, Buffer>>;
}

export const MASTER_KEYS_VARIABLE = 'PRIVACY_MASTER_KEYS';

const MASTER_KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Parses `k2:<base64>,k1:<base64>` (the first entry is the current key): ids of letters, digits,
 * `_` and `-`, each key 32 random bytes in base64 or base64url. Errors name the variable and the
 * entry, never the key material.
 */
export function parseMasterKeys(value: string | undefined, variable: string = MASTER_KEYS_VARIABLE): MasterKeys {
  const fail = (message: string) => new ConfigError(`${variable}: ${message}`, { details: { variable } });
  const entries = (value ?? '').split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    throw fail(
      'no master key; expected "<id>:<base64 of 32 bytes>[,<id>:<base64>…]", the first one current ' +
        '(generate a key with `openssl rand -base64 32`)',
    );
  }
  const keys: Record<string, Buffer> = {};
  let current = '';
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? entry : entry.slice(0, colon);
    const encoded = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (!MASTER_KEY_ID.test(id)) {
      throw fail(
        `entry ${index + 1} has no valid key id before ":" ` +
          '(letters, digits, _ and -, at most 32, starting with a letter or digit)',
      );
    }
    if (Object.hasOwn(keys, id)) throw fail(`the key id "${id}" is listed twice`);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key === undefined || key.length !== KEY_BYTES) {
      const got = key === undefined ? 'is not base64' : `decodes to ${key.length} bytes`;
      throw fail(`the key "${id}" ${got}; it must be ${KEY_BYTES} bytes (AES-256) in base64`);
    }
    keys[id] = key;
    if (index === 0) current = id;
  }
  return { current, keys };
}

/** Checks master keys built in code (tests, tools) the way `parseMasterKeys` checks configuration. */
export function assertMasterKeys(masterKeys: MasterKeys): void {
  if (!Object.hasOwn(masterKeys.keys, masterKeys.current)) {
    throw new ConfigError(`the current master key "${masterKeys.current}" is not among the master keys`);
  }
  for (const [id, key] of Object.entries(masterKeys.keys)) {
    if (!MASTER_KEY_ID.test(id)) throw new ConfigError(`"${id}" is not a valid master key id`);
    if (key.length !== KEY_BYTES) {
      throw new ConfigError(`the master key "${id}" has ${key.length} bytes; it must have ${KEY_BYTES}`);
    }
  }
}

/** A fresh master key entry, `<id>:<base64>`, for configuration. */
export function generateMasterKey(id: string): string {
  if (!MASTER_KEY_ID.test(id)) throw new ConfigError(`"${id}" is not a valid master key id`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

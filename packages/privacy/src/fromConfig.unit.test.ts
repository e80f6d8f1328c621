import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_MASTER_KEY_ID, keyVaultFromEnv, masterKeysFromEnv } from './fromConfig.js';
import { generateMasterKey } from './masterKeys.js';

describe('master keys from configuration', () => {
  it('uses the configured keys, the first one current', () => {
    const value = `${generateMasterKey('k2')},${generateMasterKey('k1')}`;
    const { masterKeys, development } = masterKeysFromEnv({ PRIVACY_MASTER_KEYS: value });
    expect(development).toBe(false);
    expect(masterKeys.current).toBe('k2');
    expect(Object.keys(masterKeys.keys).sort()).toEqual(['k1', 'k2']);
  });

  it('falls back to the fixed development key outside production, the same in every process', () => {
    const first = masterKeysFromEnv({});
    const second = masterKeysFromEnv({ PRIVACY_MASTER_KEYS: '  ', NODE_ENV: 'development' });
    expect(first.development).toBe(true);
    expect(first.masterKeys.current).toBe(DEVELOPMENT_MASTER_KEY_ID);
    expect(first.masterKeys.keys[DEVELOPMENT_MASTER_KEY_ID]).toEqual(second.masterKeys.keys[DEVELOPMENT_MASTER_KEY_ID]);
    expect(first.masterKeys.keys[DEVELOPMENT_MASTER_KEY_ID]).toHaveLength(32);
  });

  it('refuses to run production without a key, naming the variable and how to make one', () => {
    expect(() => masterKeysFromEnv({ NODE_ENV: 'production' })).toThrow(/PRIVACY_MASTER_KEYS must be set in production.*new-master-key/);
  });

  it('rejects a malformed key without echoing it', () => {
    expect(() => masterKeysFromEnv({ PRIVACY_MASTER_KEYS: 'k1:c2hvcnQ=' })).toThrow(/"k1" decodes to 5 bytes/);
  });

  it('warns once per logger when the development key is in use', () => {
    const warnings: string[] = [];
    const logger = { warn: (_fields: Record<string, unknown>, message: string) => warnings.push(message) };
    const pool = {} as never;
    keyVaultFromEnv({}, pool, logger);
    keyVaultFromEnv({}, pool, logger);
    keyVaultFromEnv({ PRIVACY_MASTER_KEYS: generateMasterKey('k1') }, pool, { warn: () => warnings.push('unexpected') });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/development key/);
  });
});

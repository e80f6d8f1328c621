import { createPool } from '@supportstream/db';
import { createEventCodec, type EventCodec } from '@supportstream/events';
import { keyVaultFromEnv, type PrivacyEnv } from '@supportstream/privacy';

export interface TestCodecConfig extends PrivacyEnv {
  readonly SCHEMA_REGISTRY_URL: string;
  readonly DATABASE_URL: string;
  readonly SUPPORTSTREAM_NAMESPACE?: string | undefined;
}

/**
 * The registry codec as the services build it: personal fields sealed and opened with the
 * services' data keys (the key vault on a small pool whose idle connections close after a second).
 */
export function createTestCodec(config: TestCodecConfig): EventCodec {
  const pool = createPool(config.DATABASE_URL, { max: 2, idleTimeoutMs: 1_000, applicationName: 'supportstream-tests' });
  return createEventCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, namespace: config.SUPPORTSTREAM_NAMESPACE, cipher: keyVaultFromEnv(config, pool) });
}

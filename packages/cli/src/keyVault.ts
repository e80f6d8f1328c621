import { createPool } from '@supportstream/db';
import { createEventCodec, type EventCodec } from '@supportstream/events';
import { keyVaultFromEnv, type KeyVault } from '@supportstream/privacy';
import type { CommandContext } from './commands.js';

const vaults = new WeakMap<CommandContext, KeyVault>();

/**
 * The command's key vault: the services' data keys, through a small pool whose idle connections
 * close after a second, so a command (or a test calling one) never waits on it to exit.
 */
export function commandKeyVault(context: CommandContext): KeyVault {
  let vault = vaults.get(context);
  if (vault === undefined) {
    const pool = createPool(context.config.DATABASE_URL, { max: 2, idleTimeoutMs: 1_000, applicationName: 'supportstream-cli' });
    vault = keyVaultFromEnv(context.config, pool, context.logger);
    vaults.set(context, vault);
  }
  return vault;
}

/** The registry codec with personal fields sealed and opened as the services do. */
export function commandCodec(context: CommandContext): EventCodec {
  return createEventCodec({ registryUrl: context.config.SCHEMA_REGISTRY_URL, namespace: context.config.SUPPORTSTREAM_NAMESPACE, cipher: commandKeyVault(context) });
}

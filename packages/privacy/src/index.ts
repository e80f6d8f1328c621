export { detectPii, containsPii, type DetectOptions } from './detect.js';
export { PII_KINDS, type PiiFinding, type PiiKind } from './findings.js';
export { maskDeep, maskPii, maskText, placeholderFor, type MaskResult } from './mask.js';
export { findCards, cardBrand, isCardNumber } from './cards.js';
export { findIbans } from './iban.js';
export { ibanLength } from './ibanCountries.js';
export { findEmails } from './email.js';
export { DEFAULT_PHONE_COUNTRY, findPhones } from './phone.js';
export { findNationalIds } from './nationalIds.js';
export { findAddresses } from './addresses.js';
export {
  allSameDigit,
  dutchBsnValid,
  frenchNirValid,
  germanTaxIdValid,
  ibanChecksumValid,
  luhnValid,
  mod97,
  spanishIdValid,
  ukNinoValid,
  usSsnValid,
} from './checksums.js';
export { isSealed, parseSealed, SEALED_PREFIX, type SealedParts } from './sealed.js';
export {
  assertMasterKeys,
  generateMasterKey,
  MASTER_KEYS_VARIABLE,
  parseMasterKeys,
  type MasterKeys,
} from './masterKeys.js';
export { boundedCache, type BoundedCache, type BoundedCacheOptions } from './keyCache.js';
export {
  inMemoryDataKeyStore,
  type CustomerRef,
  type DataKeyStore,
  type ErasureRecord,
  type ErasureRequest,
  type StoredDataKey,
  type WrappedDataKey,
} from './dataKeyStore.js';
export { postgresDataKeyStore } from './postgresDataKeyStore.js';
export {
  createKeyVault,
  ERASED_PLACEHOLDER,
  isErased,
  type Erased,
  type KeyVault,
  type KeyVaultOptions,
} from './keyVault.js';
export {
  DEVELOPMENT_MASTER_KEY_ID,
  keyVaultFromEnv,
  masterKeysFromEnv,
  type ConfiguredMasterKeys,
  type PrivacyEnv,
} from './fromConfig.js';

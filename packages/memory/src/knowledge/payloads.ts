/** Collection names used when the caller does not choose. */
export const KNOWLEDGE_COLLECTION = 'knowledge';
export const RESOLUTIONS_COLLECTION = 'resolutions';

/** `tenantId` of knowledge shared by every tenant (the sample knowledge base, for one). */
export const SHARED_TENANT = '*';

/** Payload `kind` values, so one collection could hold several kinds without mixing them up. */
export const KNOWLEDGE_KIND = 'knowledge';
export const RESOLUTION_KIND = 'resolution';

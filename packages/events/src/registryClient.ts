import { InvalidInputError, PlatformError, TransientError } from '@supportstream/errors';

/**
 * Minimal client for the Confluent schema-registry REST API calls that the encode/decode path
 * does not need: configuration, compatibility checks, listing and deleting subjects.
 */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly messages: readonly string[];
}

export interface RegisteredVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
}

export class RegistryHttpError extends PlatformError {
  readonly status: number;
  readonly errorCode: number | undefined;
  constructor(status: number, errorCode: number | undefined, message: string) {
    super(`REGISTRY_HTTP_${status}`, message, { retriable: status >= 500 || status === 429, details: { status, errorCode } });
    this.status = status;
    this.errorCode = errorCode;
  }
}

export interface RegistryClient {
  readonly url: string;
  subjects(): Promise<string[]>;
  versions(subject: string): Promise<number[]>;
  version(subject: string, version: number | 'latest'): Promise<RegisteredVersion>;
  register(subject: string, schema: unknown): Promise<number>;
  lookup(subject: string, schema: unknown): Promise<RegisteredVersion | undefined>;
  schemaById(id: number): Promise<string>;
  /** Every subject and version that holds the schema with this id (`GET /schemas/ids/{id}/versions`). */
  versionsOfSchemaId(id: number): Promise<SubjectVersion[]>;
  getCompatibility(subject?: string): Promise<CompatibilityLevel | undefined>;
  setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void>;
  /** Checks against every version the subject's compatibility level demands (all, when transitive). */
  checkCompatibility(subject: string, schema: unknown, against?: number | 'latest'): Promise<CompatibilityResult>;
  deleteSubject(subject: string, permanent?: boolean): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export function createRegistryClient(baseUrl: string, timeoutMs = 10_000): RegistryClient {
  const url = baseUrl.replace(/\/+$/, '');
  const enc = encodeURIComponent;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${url}${path}`, {
        method,
        headers: { accept: CONTENT_TYPE, ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TransientError('REGISTRY_UNREACHABLE', `schema registry at ${url} is unreachable: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    const parsed: unknown = text.length > 0 ? safeJson(text) : undefined;
    if (!response.ok) {
      const info = (parsed ?? {}) as { error_code?: number; message?: string };
      throw new RegistryHttpError(response.status, info.error_code, `${method} ${path}: ${response.status} ${info.message ?? text}`);
    }
    return parsed as T;
  }

  const schemaBody = (schema: unknown) => ({ schema: typeof schema === 'string' ? schema : JSON.stringify(schema) });
  const isNotFound = (error: unknown) => error instanceof RegistryHttpError && error.status === 404;

  return {
    url,
    subjects: () => call<string[]>('GET', '/subjects'),
    async versions(subject) {
      try {
        return await call<number[]>('GET', `/subjects/${enc(subject)}/versions`);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
    version: (subject, version) => call<RegisteredVersion>('GET', `/subjects/${enc(subject)}/versions/${version}`),
    async register(subject, schema) {
      try {
        return (await call<{ id: number }>('POST', `/subjects/${enc(subject)}/versions`, schemaBody(schema))).id;
      } catch (error) {
        if (error instanceof RegistryHttpError && error.status === 409) {
          throw new InvalidInputError('SCHEMA_INCOMPATIBLE', `schema for ${subject} is incompatible with its registered versions: ${error.message}`, { cause: error });
        }
        if (error instanceof RegistryHttpError && error.status === 422) {
          throw new InvalidInputError('SCHEMA_INVALID', `schema for ${subject} is invalid: ${error.message}`, { cause: error });
        }
        throw error;
      }
    },
    async lookup(subject, schema) {
      try {
        return await call<RegisteredVersion>('POST', `/subjects/${enc(subject)}`, schemaBody(schema));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async schemaById(id) {
      return (await call<{ schema: string }>('GET', `/schemas/ids/${id}`)).schema;
    },
    versionsOfSchemaId: (id) => call<SubjectVersion[]>('GET', `/schemas/ids/${id}/versions`),
    async getCompatibility(subject) {
      try {
        const path = subject === undefined ? '/config' : `/config/${enc(subject)}`;
        const result = await call<{ compatibilityLevel?: CompatibilityLevel; compatibility?: CompatibilityLevel }>('GET', path);
        return result.compatibilityLevel ?? result.compatibility;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async setCompatibility(level, subject) {
      await call('PUT', subject === undefined ? '/config' : `/config/${enc(subject)}`, { compatibility: level });
    },
    async checkCompatibility(subject, schema, against) {
      const path =
        against === undefined
          ? `/compatibility/subjects/${enc(subject)}/versions?verbose=true`
          : `/compatibility/subjects/${enc(subject)}/versions/${against}?verbose=true`;
      try {
        const result = await call<{ is_compatible: boolean; messages?: string[] }>('POST', path, schemaBody(schema));
        return { compatible: result.is_compatible, messages: result.messages ?? [] };
      } catch (error) {
        // A subject with no versions has nothing to be incompatible with.
        if (isNotFound(error)) return { compatible: true, messages: [] };
        throw error;
      }
    },
    async deleteSubject(subject, permanent = false) {
      try {
        await call('DELETE', `/subjects/${enc(subject)}`);
        if (permanent) await call('DELETE', `/subjects/${enc(subject)}?permanent=true`);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

import { describe, expect, it } from 'vitest';
import { ConfigError, loadPlatformConfig, parseEnv, z } from './index.js';

describe('platform configuration', () => {
  it('applies loopback defaults when nothing is set', () => {
    const config = loadPlatformConfig({});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.SCHEMA_REGISTRY_URL).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.METRICS_HOST).toBe('127.0.0.1');
  });

  it('splits a broker list', () => {
    expect(loadPlatformConfig({ KAFKA_BROKERS: 'a:1, b:2,' }).KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('fails fast naming every bad variable and its value', () => {
    let caught: unknown;
    try {
      loadPlatformConfig({ DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', METRICS_PORT: '99999' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('DATABASE_URL="mysql://x"');
    expect(message).toContain('LOG_LEVEL="loud"');
    expect(message).toContain('METRICS_PORT="99999"');
    expect((caught as ConfigError).details['issues']).toHaveLength(3);
  });

  it('never echoes secrets or URL credentials', () => {
    const schema = z.object({ WEBHOOK_SECRET: z.string().min(16), DATABASE_URL: z.string().startsWith('postgres:') });
    expect(() => parseEnv(schema, { WEBHOOK_SECRET: 'short', DATABASE_URL: 'mysql://bob:hunter2@db/x' })).toThrow(
      /WEBHOOK_SECRET="<redacted>"[\s\S]*DATABASE_URL="mysql:\/\/<credentials>@db\/x"/,
    );
  });

  it('names a missing required variable of an extended schema', () => {
    const schema = z.object({ WEBHOOK_SECRET: z.string().min(16) });
    expect(() => parseEnv(schema, {})).toThrow(/WEBHOOK_SECRET/);
  });
});

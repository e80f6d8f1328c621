import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from './routes/console.js';
import { startTestGateway, type TestGateway } from './test/harness.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-Abc123.js"></script></head><body><div id="root"></div></body></html>';
let built: TestGateway;
let unbuilt: TestGateway;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'index-Abc123.js'), 'console.log("app");');
  await writeFile(join(dir, 'assets', 'index-Def456.css'), 'body{margin:0}');
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dir, '.secret'), 'not for the web');
  built = await startTestGateway({ settings: { consoleDir: dir } });
  unbuilt = await startTestGateway({ settings: { consoleDir: join(dir, 'missing') } });
});

afterAll(async () => {
  await built.close();
  await unbuilt.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (gateway: TestGateway, path: string, init: RequestInit = {}) => fetch(`${gateway.baseUrl}${path}`, { redirect: 'manual', ...init });

describe('GET /console', () => {
  it('serves index.html at /console, /console/ and every client route, never cached, with a CSP for the app’s own files only', async () => {
    for (const path of ['/console', '/console/', '/console/approvals', '/console/conversations/conv-1', '/console/.secret']) {
      const response = await get(built, path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toBe(INDEX);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("style-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
    expect((await get(built, '/console', { method: 'HEAD' })).status).toBe(200);
  });

  it('serves hashed assets with a year of immutable caching; other files revalidate; a missing file is a 404, not the app', async () => {
    const script = await get(built, '/console/assets/index-Abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log("app");');
    const style = await get(built, '/console/assets/index-Def456.css');
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
    const icon = await get(built, '/console/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');

    for (const path of ['/console/assets/index-Old999.js', '/console/missing.png', '/console/assets/..%2f..%2fpackage.json', '/console/assets/%2e%2e/%2e%2e/index.html']) {
      const response = await get(built, path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
    // Only GET and HEAD: anything else is the gateway's 404.
    expect((await get(built, '/console', { method: 'POST' })).status).toBe(404);
    // The API keeps its own, stricter policy.
    expect((await get(built, '/health')).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('answers 503 naming the build command when the console is not built', async () => {
    const response = await get(unbuilt, '/console/approvals');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CONSOLE_NOT_BUILT');
    expect(body.error.message).toContain('npm run build -w @supportstream/console');
    expect(body.error.message).not.toContain(dir);
  });
});

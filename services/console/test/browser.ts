// Debian's Chromium, driven by playwright-core over the DevTools protocol. The browser is started
// here with exactly the flags below (Playwright's own launcher would add dozens of its own), on a
// fresh profile in a temporary directory, and removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] as const;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Beside the test reports of scripts/test.sh (.local/test-results). */
export const SCREENSHOT_DIR = join(ROOT, '.local/test-results/screenshots');

export interface RunningBrowser {
  readonly browser: Browser;
  readonly output: string[];
  close(): Promise<void>;
}

/** Starts Chromium on a fresh --user-data-dir and connects to it; fails with its output if it does not come up in 30 s. */
export async function launchChromium(): Promise<RunningBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; npm test does it) or set CHROMIUM_PATH`);
  const profile = await mkdtemp(join(tmpdir(), 'console-chromium-'));
  const child: ChildProcess = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const endpoint = await new Promise<string>((resolveEndpoint, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium did not start in 30 s: ${output.join('').slice(-2000)}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output.join(''));
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveEndpoint(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with ${String(code)}: ${output.join('').slice(-2000)}`));
    });
  });
  const browser = await chromium.connectOverCDP(endpoint, { timeout: 30_000 });
  return {
    browser,
    output,
    async close() {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page (a CSP violation is one). */
  readonly errors: string[];
  /** Top-level navigations after the first load (a reload counts). */
  navigations(): number;
  /** Writes a screenshot (and the page's errors) to .local/test-results/screenshots/<name>.png. */
  /** The whole page, or only the viewport (phone-width shots: a full-page shot of a narrow page drops the scrollbar's width). */
  screenshot(name: string, options?: { readonly fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** The browser's own notes on an answer the test expects (a 401 before sign-in): not the app's errors. */
const EXPECTED = /^Failed to load resource: the server responded with a status of 40[13]/;

/** A new context (no cookies, given locale and viewport) and page whose errors are collected. */
export async function openPage(browser: Browser, options: { readonly locale?: string; readonly viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: options.viewport ?? { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  const errors: string[] = [];
  let loads = 0;
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' && !EXPECTED.test(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) loads += 1;
  });
  return {
    context,
    page,
    errors,
    navigations: () => Math.max(0, loads - 1),
    async screenshot(name, options = {}) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120)}.png`);
      await page.screenshot({ path, fullPage: options.fullPage ?? true });
      if (errors.length > 0) await writeFile(path.replace(/\.png$/, '.errors.txt'), errors.join('\n'));
      return path;
    },
    close: () => context.close(),
  };
}

/**
 * Elements that reach past the right edge of the page (cut off on a phone), unless they sit in a
 * container that scrolls sideways by design (a wide table): tag, class and text, at most 10.
 */
export async function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollsSideways = (element: Element): boolean => {
      for (let node = element.parentElement; node !== null; node = node.parentElement) {
        const overflow = getComputedStyle(node).overflowX;
        if (overflow === 'auto' || overflow === 'scroll') return true;
      }
      return false;
    };
    const found: string[] = [];
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.right <= width + 1 || scrollsSideways(element)) continue;
      if (Array.from(element.children).some((child) => child.getBoundingClientRect().right > width + 1)) continue;
      found.push(`${element.tagName.toLowerCase()}.${String(element.getAttribute('class') ?? '').split(' ').slice(0, 2).join('.')} "${(element.textContent ?? '').trim().slice(0, 40)}" right=${Math.round(rect.right)} > ${width}`);
      if (found.length >= 10) break;
    }
    return found;
  });
}

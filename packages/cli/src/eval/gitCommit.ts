import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The commit a result was measured at: `git rev-parse HEAD`, with `-dirty` when tracked files
 * differ from it (a result of uncommitted code must not pass for the commit's), `unknown` outside
 * a git work tree.
 */
export async function currentCommit(cwd: string = process.cwd()): Promise<string> {
  try {
    const head = (await run('git', ['rev-parse', 'HEAD'], { cwd })).stdout.trim();
    const status = await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, maxBuffer: 16 << 20 });
    return status.stdout.trim().length > 0 ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

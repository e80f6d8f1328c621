import { execFileSync } from 'node:child_process';

/** The code a bench run measured: `git rev-parse HEAD`, and whether the tree had changes (which paths, a few). */
export interface BenchCommit {
  readonly sha: string;
  readonly dirty: boolean;
  /** Changes outside bench/ (a record of uncommitted platform code must not pass for the commit's). */
  readonly dirtyOutsideBench: boolean;
  readonly dirtyPaths: readonly string[];
}

export function benchCommit(root: string): BenchCommit {
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  // Porcelain lines are "XY path": not trimmed, or the first line's leading status space would be lost.
  const dirtyPaths = git('status', '--porcelain').split('\n').filter(Boolean).map((line) => line.slice(3));
  return { sha: git('rev-parse', 'HEAD').trim(), dirty: dirtyPaths.length > 0, dirtyOutsideBench: dirtyPaths.some((path) => !path.startsWith('bench/')), dirtyPaths: dirtyPaths.slice(0, 20) };
}

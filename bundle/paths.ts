import { homedir } from 'node:os';
import { join } from 'node:path';

/** Go work folders and finished components, reused by the next build ($TSPLAY_CACHE). */
export function defaultCacheDir(): string {
  return process.env.TSPLAY_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tsplay');
}

/** The bundle the lab, `tsplay new`, the main job and cluster-e2e use unless told otherwise ($TSPLAY_BUNDLE). */
export function defaultBundleDir(kubernetes = 'v1.34.4'): string {
  return process.env.TSPLAY_BUNDLE ?? join(defaultCacheDir(), 'bundles', `k8s-${kubernetes}`);
}

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * manifest.json of an offline bundle. The roles read it with include_vars (as `bundle`),
 * so its shape is what their tasks loop over: `binaries` and `cni_plugins` to install,
 * `images` to import, and `files` with the sha256 of everything in the bundle.
 */
export interface BundleFile {
  path: string;
  sha256: string;
  size: number;
}

export interface BundleBinary extends BundleFile {
  name: string;
  /** Where the roles install it on a host (the Debian packages' paths). */
  dest: string;
}

export interface BundleImage extends BundleFile {
  /** The full reference kubeadm, kubelet and the CNI manifests use. */
  name: string;
  /** kube-apiserver, etcd, pause, flannel... */
  component: string;
}

export interface BundleManifest {
  format: 'tsplay-bundle/1';
  /** Without the v, as kube_version is written in the settings. */
  kubernetes_version: string;
  image_repository: string;
  /** source: built here from Go modules; official: dl.k8s.io binaries and pulled images. */
  built_from: 'source' | 'official';
  arch: 'amd64';
  components: Record<string, string>;
  binaries: BundleBinary[];
  cni_plugins: BundleBinary[];
  images: BundleImage[];
  created: string;
}

export const MANIFEST = 'manifest.json';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function describeFile(dir: string, path: string): Promise<BundleFile> {
  const full = join(dir, path);
  return { path, sha256: await sha256File(full), size: statSync(full).size };
}

export function readManifest(dir: string): BundleManifest {
  const p = join(dir, MANIFEST);
  if (!existsSync(p)) throw new Error(`${dir}: not an offline bundle (no ${MANIFEST})`);
  const m = JSON.parse(readFileSync(p, 'utf8')) as BundleManifest;
  if (m.format !== 'tsplay-bundle/1') throw new Error(`${p}: format '${String(m.format)}', expected 'tsplay-bundle/1'`);
  return m;
}

export interface VerifyProblem {
  path: string;
  problem: string;
}

/** Every file the manifest lists, present with its size and sha256; nothing else is required. */
export async function verifyBundle(dir: string): Promise<{ manifest: BundleManifest; problems: VerifyProblem[]; bytes: number }> {
  const manifest = readManifest(dir);
  const problems: VerifyProblem[] = [];
  let bytes = 0;
  const all: BundleFile[] = [...manifest.binaries, ...manifest.cni_plugins, ...manifest.images];
  for (const f of all) {
    const full = join(dir, f.path);
    if (!existsSync(full)) {
      problems.push({ path: f.path, problem: 'missing' });
      continue;
    }
    const size = statSync(full).size;
    bytes += size;
    if (size !== f.size) problems.push({ path: f.path, problem: `size ${size}, manifest says ${f.size}` });
    else if ((await sha256File(full)) !== f.sha256) problems.push({ path: f.path, problem: `sha256 differs from the manifest's ${f.sha256.slice(0, 12)}...` });
  }
  for (const want of ['kubeadm', 'kubelet', 'kubectl']) {
    if (!manifest.binaries.some((b) => b.name === want)) problems.push({ path: MANIFEST, problem: `lists no ${want}` });
  }
  for (const want of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'coredns', 'pause']) {
    if (!manifest.images.some((i) => i.component === want)) problems.push({ path: MANIFEST, problem: `lists no ${want} image` });
  }
  return { manifest, problems, bytes };
}

/**
 * The go.mod a bundle component is built from. Go modules that keep their sibling
 * modules in one repository (k8s.io/kubernetes and its staging/ tree, etcd and its
 * api/, client/, pkg/ folders) point at them with local `replace` lines, which Go
 * ignores in a dependency: `go install module@version` refuses them. A small module of
 * ours requires the component and repeats those lines, each local path turned into the
 * published module of the same name at the version the release was cut with.
 */

export interface Replace {
  from: string;
  to: string;
  /** Empty for a local path. */
  version: string;
}

/** The `replace` lines of a go.mod, in both the one-line and the block form. */
export function parseReplaces(goMod: string): Replace[] {
  const out: Replace[] = [];
  const body = (line: string): void => {
    const m = /^\s*(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+(\S+))?\s*(?:\/\/.*)?$/.exec(line);
    if (m) out.push({ from: m[1]!, to: m[2]!, version: m[3] ?? '' });
  };
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trimEnd();
    if (inBlock) {
      if (/^\s*\)/.test(line)) inBlock = false;
      else body(line);
      continue;
    }
    if (/^replace\s*\(\s*$/.test(line)) inBlock = true;
    else if (line.startsWith('replace ')) body(line.slice('replace '.length));
  }
  return out;
}

export interface GoModInput {
  /** Our module's path. */
  module: string;
  /** The component: module path and version. */
  require: { path: string; version: string };
  /** The component's own go.mod text. */
  dependencyGoMod: string;
  /** The version local replaces resolve to (k8s staging modules: v0.34.4 for v1.34.4). */
  localVersion: string;
  goVersion?: string;
}

/**
 * Our go.mod: the component required, its published-module replaces kept as they are,
 * its local ones redirected to the published modules, and the guard replaces etcd uses
 * to forbid a dependency (`=> ./FORBIDDEN_DEPENDENCY`) dropped: they point nowhere.
 */
export function goModFor(i: GoModInput): string {
  const lines: string[] = [];
  for (const r of parseReplaces(i.dependencyGoMod)) {
    const local = r.to.startsWith('./') || r.to.startsWith('../');
    if (local && r.to.includes('FORBIDDEN_DEPENDENCY')) continue;
    if (local) lines.push(`\t${r.from} => ${r.from} ${i.localVersion}`);
    else lines.push(`\t${r.from} => ${r.to} ${r.version}`.trimEnd());
  }
  const uniq = [...new Set(lines)];
  return (
    `// Written by tsplay bundle build: builds ${i.require.path} ${i.require.version} from the Go module proxy.\n` +
    `module ${i.module}\n\ngo ${i.goVersion ?? '1.24.0'}\n\nrequire ${i.require.path} ${i.require.version}\n` +
    (uniq.length ? `\nreplace (\n${uniq.join('\n')}\n)\n` : '')
  );
}

/** k8s.io/kubernetes v1.34.4 publishes its staging modules as v0.34.4. */
export function stagingVersion(kubeVersion: string): string {
  const m = /^v1\.(\d+\.\d+.*)$/.exec(kubeVersion);
  if (!m) throw new Error(`Kubernetes version '${kubeVersion}': expected v1.MINOR.PATCH`);
  return `v0.${m[1]}`;
}

/** What kubeadm pins for a Kubernetes version, read from its constants.go. */
export interface KubeadmPins {
  etcd: string;
  coredns: string;
  pause: string;
}

export function kubeadmPins(constantsGo: string): KubeadmPins {
  const get = (name: string): string => {
    const m = new RegExp(`\\b${name}\\s*=\\s*"([^"]+)"`).exec(constantsGo);
    if (!m) throw new Error(`kubeadm constants.go: ${name} not found`);
    return m[1]!;
  };
  return { etcd: get('DefaultEtcdVersion'), coredns: get('CoreDNSVersion'), pause: get('PauseVersion') };
}

/** Adds b's require and replace lines to a (the same replace twice is kept once). */
export function mergeGoMod(a: string, b: string): string {
  const req = /^require (\S+ \S+)$/m.exec(b)?.[1];
  const reps = (t: string): string[] => /\nreplace \(\n([\s\S]*?)\n\)/.exec(t)?.[1]?.split('\n') ?? [];
  const allReps = [...new Set([...reps(a), ...reps(b)])];
  let out = a.replace(/\nreplace \(\n[\s\S]*?\n\)\n?/, '\n');
  if (req) out = out.replace(/^(require \S+ \S+)$/m, `$1\nrequire ${req}`);
  return `${out.trimEnd()}\n${allReps.length ? `\nreplace (\n${allReps.join('\n')}\n)\n` : ''}`;
}

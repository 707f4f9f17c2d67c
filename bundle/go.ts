import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { goModFor, mergeGoMod } from './gomod.js';

/** One Go build: a module of ours that requires the component and builds its binaries. */
export interface GoComponent {
  id: string;
  /** The modules required, each with the version local replaces in its go.mod resolve to. */
  requires: { path: string; version: string; localVersion?: string }[];
  /** Binary name -> import path of its main package. */
  binaries: Record<string, string>;
  /** Files of our own (a main package for etcd, the flannel CNI plugin), path -> text. */
  sources?: Record<string, string>;
  ldflags?: string;
  /** Flannel's UDP backend is C: built with cgo and linked statically against glibc. */
  cgo?: boolean;
}

export interface GoBuildResult {
  dir: string;
  binaries: Record<string, string>;
  cached: boolean;
}

async function go(dir: string, args: string[], log: (s: string) => void, cgo = false): Promise<void> {
  const r = await execa('go', args, {
    cwd: dir,
    reject: false,
    all: true,
    // Static binaries: the images hold nothing else, and the hosts need no libc of a given version.
    env: { CGO_ENABLED: cgo ? '1' : '0', GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local' },
  });
  if (r.exitCode !== 0) {
    log(r.all ?? '');
    throw new Error(
      `go ${args.slice(0, 2).join(' ')} failed in ${dir} (exit ${r.exitCode}); its last lines:\n${(r.all ?? '').split('\n').slice(-15).join('\n')}`,
    );
  }
}

/** Reads a dependency's go.mod from the module cache, downloading it through the proxy. */
/** Where a module version's go.mod and sources are in the module cache, downloading them through the proxy. */
export async function moduleFiles(path: string, version: string, cwd: string): Promise<{ goMod: string; dir: string }> {
  const r = await execa('go', ['mod', 'download', '-json', `${path}@${version}`], { cwd, reject: false, env: { GOFLAGS: '-mod=mod' } });
  const info = JSON.parse(r.stdout || '{}') as { GoMod?: string; Dir?: string; Error?: string };
  if (r.exitCode !== 0 || !info.GoMod || !info.Dir) throw new Error(`the Go module proxy has no ${path}@${version}: ${info.Error ?? r.stderr}`);
  return { goMod: info.GoMod, dir: info.Dir };
}

/**
 * Builds one component in `cacheDir/<id>`. The outputs are kept with a stamp of
 * everything that went into them (go.mod, our sources, flags, Go's version), so an
 * unchanged component is reused without running Go at all; a changed one still reuses
 * Go's own build cache.
 */
export async function buildGo(c: GoComponent, cacheDir: string, log: (s: string) => void): Promise<GoBuildResult> {
  const dir = join(cacheDir, c.id);
  mkdirSync(join(dir, 'out'), { recursive: true });
  let text = '';
  for (const [i, r] of c.requires.entries()) {
    const mod = goModFor({
      module: `tsplay.local/bundle/${c.id}`,
      require: r,
      dependencyGoMod: readFileSync((await moduleFiles(r.path, r.version, dir)).goMod, 'utf8'),
      localVersion: r.localVersion ?? r.version,
    });
    // The first require gives the header; the others add their require and replace lines.
    text = i === 0 ? mod : mergeGoMod(text, mod);
  }
  const goVersion = (await execa('go', ['version'])).stdout;
  const stamp = createHash('sha256')
    .update(JSON.stringify({ text, sources: c.sources ?? {}, ldflags: c.ldflags ?? '', cgo: !!c.cgo, binaries: c.binaries, goVersion }))
    .digest('hex');
  const binaries = Object.fromEntries(Object.keys(c.binaries).map((b) => [b, join(dir, 'out', b)]));
  const stampFile = join(dir, 'out', '.stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && Object.values(binaries).every((p) => existsSync(p))) {
    return { dir, binaries, cached: true };
  }
  // Written fresh each time: `go get` below adds what the requires need, from the module cache.
  writeFileSync(join(dir, 'go.mod'), text);
  for (const [p, src] of Object.entries(c.sources ?? {})) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), src);
  }
  for (const r of c.requires) await go(dir, ['get', `${r.path}@${r.version}`], log);
  const ldflags = `-s -w ${c.ldflags ?? ''}${c.cgo ? ` -extldflags '-static'` : ''}`;
  const args = ['build', '-trimpath', ...(c.cgo ? ['-tags', 'netgo,osusergo'] : []), '-ldflags', ldflags, '-o', 'out/'];
  // One `go build` for all of a component's binaries: the packages they share compile once.
  await go(dir, [...args, ...Object.values(c.binaries)], log, c.cgo);
  // Go names each binary after its package's last path element; ours may differ.
  for (const [name, pkg] of Object.entries(c.binaries)) {
    const built = join(dir, 'out', pkg.split('/').pop()!);
    if (built !== binaries[name] && existsSync(built)) await execa('mv', ['-f', built, binaries[name]!]);
  }
  writeFileSync(stampFile, stamp);
  return { dir, binaries, cached: false };
}

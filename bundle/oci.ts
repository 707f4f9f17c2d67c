import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';

/** GNU tar flags that make the same files give the same bytes: order, owners and times fixed. */
const REPRODUCIBLE_TAR = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0'];

/** What goes into an image's single layer. */
export interface ImageRoot {
  /** Path in the image -> file on this machine (copied with its mode). */
  files: Record<string, string>;
  /** Path in the image -> link target. */
  links?: Record<string, string>;
  /** Empty directories, with their mode (/tmp needs 1777). */
  dirs?: Record<string, number>;
  /** Path in the image -> text (/etc/passwd, /etc/nsswitch.conf). */
  content?: Record<string, string>;
}

export interface ImageSpec {
  /** The full name kubeadm and the manifests use, e.g. registry.k8s.io/kube-apiserver:v1.34.4. */
  name: string;
  root: ImageRoot;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * The image as one archive that both importers read: an OCI image layout (index.json
 * with `io.containerd.image.name`, which `ctr images import` uses) and, beside it, the
 * `manifest.json` with RepoTags that `docker load` reads. The blobs are shared.
 * The layer tar is made with GNU tar, sorted, owned by root and dated at the epoch, so
 * the same inputs give the same digests.
 */
export async function writeImageArchive(spec: ImageSpec, out: string): Promise<{ digest: string; size: number }> {
  const work = mkdtempSync(join(tmpdir(), 'tsplay-image-'));
  try {
    const root = join(work, 'root');
    mkdirSync(root);
    for (const [p, mode] of Object.entries(spec.root.dirs ?? {})) {
      mkdirSync(join(root, p), { recursive: true });
      chmodSync(join(root, p), mode);
    }
    for (const [p, src] of Object.entries(spec.root.files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      copyFileSync(realpathSync(src), join(root, p));
      chmodSync(join(root, p), statSync(realpathSync(src)).mode & 0o7777);
    }
    for (const [p, text] of Object.entries(spec.root.content ?? {})) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text, { mode: 0o644 });
    }
    for (const [p, target] of Object.entries(spec.root.links ?? {})) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      rmSync(join(root, p), { force: true });
      symlinkSync(target, join(root, p));
    }
    const layerTar = join(work, 'layer.tar');
    await execa('tar', [
      ...REPRODUCIBLE_TAR,
      '--format=posix',
      '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
      '-C',
      root,
      '-cf',
      layerTar,
      '.',
    ]);
    const tar = readFileSync(layerTar);
    const diffId = `sha256:${sha256(tar)}`;
    const gz = gzipSync(tar, { level: 6 });
    const layerDigest = sha256(gz);
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: {
        Env: spec.env ?? [PATH_ENV],
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        WorkingDir: '/',
      },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'tsplay bundle build' }],
    });
    const configDigest = sha256(config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layerDigest}`, size: gz.length }],
    });
    const manifestDigest = sha256(manifest);
    const tag = spec.name.slice(spec.name.lastIndexOf(':') + 1);
    const layout = join(work, 'layout');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(layout, 'blobs', 'sha256', layerDigest), gz);
    writeFileSync(join(layout, 'blobs', 'sha256', configDigest), config);
    writeFileSync(join(layout, 'blobs', 'sha256', manifestDigest), manifest);
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${manifestDigest}`,
            size: Buffer.byteLength(manifest),
            annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': tag },
          },
        ],
      }),
    );
    writeFileSync(
      join(layout, 'manifest.json'),
      JSON.stringify([{ Config: `blobs/sha256/${configDigest}`, RepoTags: [spec.name], Layers: [`blobs/sha256/${layerDigest}`] }]),
    );
    mkdirSync(dirname(out), { recursive: true });
    await execa('tar', [...REPRODUCIBLE_TAR, '-C', layout, '-cf', out, 'oci-layout', 'index.json', 'manifest.json', 'blobs']);
    return { digest: `sha256:${manifestDigest}`, size: statSync(out).size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A dynamically linked program of this machine with everything it loads: the shared
 * libraries ldd names and the dynamic loader. kube-proxy and flanneld run iptables, and
 * the images carry Debian's, as the upstream images carry theirs.
 */
export async function hostProgramClosure(programs: string[], pluginDirs: string[] = []): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const objects = [...programs];
  for (const d of pluginDirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.so')) objects.push(join(d, f));
  }
  for (const p of objects) {
    files[p] = p;
    const r = await execa('ldd', [p], { reject: false });
    for (const line of r.stdout.split('\n')) {
      const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (m) files[m[1]!] = m[1]!;
    }
  }
  return files;
}

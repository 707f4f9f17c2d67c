import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../engine/cli/main.js';
import { runCommand } from '../engine/cli/run.js';

/** The repository root, from dist/test/ or test/. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..').replace(/\/dist$/, '');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `tsplay ARGS` in this process with captured output; the same code path as the binary. */
export async function tsplay(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), color: false };
  let code = 0;
  const program = buildCli({
    run: async (pb, o) => {
      code = await runCommand(pb, o, io);
      return code;
    },
  });
  program.configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s) });
  try {
    await program.parseAsync(['node', 'tsplay', ...args]);
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) code = ce.code === 'commander.helpDisplayed' ? 0 : 5;
    else throw e;
  }
  process.exitCode = 0;
  return { code, out, err };
}

/**
 * The lines two runs must share to be "the same run": banners, per-host
 * results (sorted within a task, since hosts finish in any order), debug
 * messages, ...ignoring and the recap. Failure details after `=>` differ in
 * timestamps and are cut.
 */
export function keyLines(output: string): string[] {
  const lines = output.split('\n');
  const res: string[] = [];
  let section: string[] = [];
  const flush = (): void => {
    res.push(...section.sort());
    section = [];
  };
  for (let i = 0; i < lines.length; i++) {
    // Paths into the checkout differ between machines: /work/main/test/fixtures/x and /ci/clone/test/fixtures/x are the same file.
    const l = lines[i]!.replace(/\s\*{3,}$/, '').replace(/\/[^\s'"]*\/test\/fixtures\//g, '<fixtures>/');
    if (/^(PLAY \[|TASK \[|RUNNING HANDLER \[|NO MORE HOSTS LEFT|PLAY RECAP)/.test(l)) {
      flush();
      res.push(l);
    } else if (/^(ok|changed|skipping|fatal|failed|included): /.test(l)) {
      let entry = l;
      if (/^(fatal|failed): /.test(l)) entry = l.replace(/ => .*$/, ' => ...');
      else if (l.endsWith('=> {')) {
        const body: string[] = [];
        while (i + 1 < lines.length && lines[i + 1] !== '}') body.push(lines[++i]!.trim());
        i++;
        entry = `${l}${body.join(' ')}}`;
      } else if (l.startsWith('included: ')) entry = l.replace(/included: \S*\/([^/\s]+) for/, 'included: $1 for');
      section.push(entry);
    } else if (l === '...ignoring' && section.length) section[section.length - 1] += ' ...ignoring';
    else if (/^FAILED - RETRYING/.test(l)) section.push(l);
    else if (/^\S+\s+: ok=\d+/.test(l)) {
      flush();
      res.push(l.trimEnd());
    }
  }
  flush();
  return res;
}

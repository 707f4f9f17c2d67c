import { runPlaybook } from '../execute/run.js';
import { formatProblem, LoadError } from '../load/errors.js';
import { loadInventory } from '../load/inventory.js';
import { type Item, type Playbook, taskTitle } from '../load/model.js';
import { loadPlaybook } from '../load/playbook.js';
import { loadModules } from '../modules/registry.js';
import { playHosts, playKeywordScope, playPattern } from '../plan/hosts.js';
import { matchHosts, splitPattern } from '../plan/patterns.js';
import { shouldRun } from '../plan/tags.js';
import { JsonReporter } from '../report/json.js';
import { StreamReporter } from '../report/stream.js';
import type { Vars } from '../template/scope.js';
import { parseExtraVars } from './extra-vars.js';
import { promptSecret } from './prompt.js';

export interface RunCliOptions {
  inventory: string[];
  check?: boolean;
  diff?: boolean;
  tags: string[];
  skipTags: string[];
  limit?: string;
  extraVars: string[];
  forks: number;
  connection?: 'local' | 'ssh';
  verbose: number;
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  syntaxCheck?: boolean;
  startAtTask?: string;
  forceHandlers?: boolean;
  json?: boolean;
  rolesPath: string[];
  user?: string;
  privateKey?: string;
  askPass?: boolean;
  askBecomePass?: boolean;
  become?: boolean;
  becomeUser?: string;
  hostKeyChecking?: string;
  timeout?: number;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
  signal?: AbortSignal;
  /** Called when loading is done and the run begins: from then on an interrupt ends the run cleanly, with its recap. */
  armInterrupts?: () => void;
}

/** Exit codes of ansible-playbook 2.14. */
export const EXIT = { ok: 0, error: 1, failed: 2, unreachable: 4, parse: 4, options: 5, interrupted: 99 } as const;

function listItems(items: Item[], inherited: string[], only: string[], skip: string[], out: string[]): void {
  for (const it of items) {
    const tags = [...new Set([...inherited, ...it.tags])];
    if (it.kind === 'block') listItems([...it.block, ...it.rescue, ...it.always], tags, only, skip, out);
    else if (shouldRun(tags, only, skip)) {
      out.push(`      ${taskTitle(it)}\tTAGS: [${tags.join(', ')}]`);
      if (it.kind === 'include' && it.preloaded) listItems(it.preloaded, [], only, skip, out);
    }
  }
}

function allTags(items: Item[], acc: Set<string>): void {
  for (const it of items) {
    for (const t of it.tags) acc.add(t);
    if (it.kind === 'block') allTags([...it.block, ...it.rescue, ...it.always], acc);
    if (it.kind === 'include' && it.preloaded) allTags(it.preloaded, acc);
  }
}

function listing(pb: Playbook, o: RunCliOptions, extra: Vars, inventory: ReturnType<typeof loadInventory>): string {
  const lines: string[] = ['', `playbook: ${pb.file}`];
  pb.plays.forEach((play, i) => {
    const scope = playKeywordScope(play, extra);
    const pattern = playPattern(play, scope);
    lines.push('', `  play #${i + 1} (${String(pattern)}): ${play.name}\tTAGS: [${play.inherited.tags.join(', ')}]`);
    if (o.listHosts) {
      const hosts = playHosts(play, inventory, scope, o.limit);
      lines.push(`    pattern: ['${String(pattern)}']`, `    hosts (${hosts.length}):`, ...hosts.map((h) => `      ${h}`));
    }
    const items = [...play.pre_tasks, ...play.roles, ...play.tasks, ...play.post_tasks];
    if (o.listTasks) {
      lines.push('    tasks:');
      listItems(items, play.inherited.tags, o.tags, o.skipTags, lines);
    }
    if (o.listTags) {
      const acc = new Set<string>(play.inherited.tags);
      allTags(items, acc);
      lines.push(`      TASK TAGS: [${[...acc].sort().join(', ')}]`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** `tsplay run`: load and validate everything, then plan and execute; returns the exit code. */
export async function runCommand(playbookFile: string, o: RunCliOptions, io: Io): Promise<number> {
  const modules = await loadModules();
  let playbook: Playbook;
  let inventory: ReturnType<typeof loadInventory>;
  let extra: Vars;
  try {
    inventory = loadInventory(o.inventory);
    extra = parseExtraVars(o.extraVars);
    playbook = loadPlaybook(playbookFile, { rolesPath: o.rolesPath, modules });
  } catch (e) {
    if (e instanceof LoadError) {
      io.err(`${e.problems.map(formatProblem).join('\n')}\n`);
      return EXIT.parse;
    }
    throw e;
  }
  for (const w of playbook.warnings) io.err(` [WARNING]: ${w}\n`);
  if (o.syntaxCheck) {
    io.out(`\nplaybook: ${playbook.file}\n`);
    return EXIT.ok;
  }
  if (o.listHosts || o.listTasks || o.listTags) {
    io.out(listing(playbook, o, extra, inventory));
    return EXIT.ok;
  }
  const hostDefaults: Vars = {};
  if (o.user) hostDefaults.ansible_user = o.user;
  if (o.privateKey) hostDefaults.ansible_ssh_private_key_file = o.privateKey;
  if (o.hostKeyChecking !== undefined) hostDefaults.ansible_host_key_checking = o.hostKeyChecking;
  else if (process.env.ANSIBLE_HOST_KEY_CHECKING !== undefined) hostDefaults.ansible_host_key_checking = process.env.ANSIBLE_HOST_KEY_CHECKING;
  if (o.timeout !== undefined) hostDefaults.ansible_timeout = o.timeout;
  // Secrets typed at a prompt go in as extra vars so they outrank inventory, as in Ansible.
  if (o.askPass) extra.ansible_password = await promptSecret('SSH password: ');
  if (o.askBecomePass) extra.ansible_become_password = await promptSecret('BECOME password: ');
  // ansible-playbook refuses a --limit that leaves no host before it runs anything.
  if (o.limit && !matchHosts(o.limit, inventory).length) {
    // As Ansible: each part of the pattern that matches nothing (or cannot be read) is named first.
    for (const part of splitPattern(o.limit).map((x) => x.replace(/^[!&]/, ''))) {
      let matched = false;
      try {
        matched = matchHosts(part, inventory).length > 0;
      } catch {
        matched = false;
      }
      if (!matched) io.err(` [WARNING]: Could not match supplied host pattern, ignoring: ${part}\n`);
    }
    io.err(' [ERROR]: Specified inventory, host pattern and/or --limit leaves us with no hosts to target.\n');
    return EXIT.error;
  }
  const reporter = o.json ? new JsonReporter(io.out) : new StreamReporter({ write: io.out, color: io.color, verbosity: o.verbose, diff: !!o.diff });
  if (o.become) for (const p of playbook.plays) p.inherited.become ??= true;
  if (o.becomeUser) for (const p of playbook.plays) p.inherited.become_user ??= o.becomeUser;
  io.armInterrupts?.();
  const outcome = await runPlaybook({
    inventory,
    playbook,
    reporter,
    check: !!o.check,
    diff: !!o.diff,
    tags: o.tags,
    skipTags: o.skipTags,
    limit: o.limit,
    extraVars: extra,
    forks: o.forks,
    connection: o.connection,
    verbosity: o.verbose,
    startAt: o.startAtTask,
    forceHandlers: !!o.forceHandlers,
    rolesPath: o.rolesPath,
    modules,
    signal: io.signal,
    hostDefaults,
  });
  return outcome.exitCode;
}

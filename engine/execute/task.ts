import type { Connection, ExecOptions, PutOptions } from '../connection/types.js';
import { UnreachableError } from '../connection/types.js';
import type { ConnectionVars } from '../connection/pool.js';
import type { Task } from '../load/model.js';
import { checkArgs, getModule } from '../modules/registry.js';
import type { ModuleContext, ModuleResult } from '../modules/types.js';
import { label as labelOf } from '../report/pyjson.js';
import type { ItemResult, Status, TaskInfo, TaskResult } from '../report/types.js';
import { evalCondition } from '../template/expr.js';
import { TemplateError, Undefined, toBool, toText } from '../template/filters.js';
import type { Scope, Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import { OMIT, type Ctx, type Executor } from './executor.js';
import { loopItems } from './loops.js';

export interface TaskEnv {
  exec: Executor;
  ctx: Ctx;
  info: TaskInfo;
}

/** Ansible's own keys in a registered result, beside the module's fields. */
function registered(r: TaskResult): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(r)) if (k !== 'outcome' && k !== 'label' && k !== 'diff' && !k.startsWith('_')) out[k] = v;
  out.changed = r.changed ?? false;
  if (r.outcome === 'failed') out.failed = true;
  else if (out.failed === undefined) out.failed = false;
  return out;
}

function statusOf(r: ModuleResult): Status {
  if (r.unreachable) return 'unreachable';
  if (r.failed) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/** Reads a host's connection settings from its variables (and -c). */
export function connectionVars(host: string, scope: Scope, forced: 'local' | 'ssh' | undefined): ConnectionVars {
  const get = (...names: string[]): unknown => {
    for (const n of names) {
      const v = scope.lookup(n);
      if (!(v instanceof Undefined) && v !== undefined && v !== null && v !== '') return v;
    }
    return undefined;
  };
  const declared = get('ansible_connection');
  const kind = (declared === 'local' ? 'local' : forced ?? (declared === 'ssh' || declared === 'paramiko' ? 'ssh' : declared === undefined ? 'ssh' : String(declared))) as 'local' | 'ssh';
  if (kind !== 'local' && kind !== 'ssh') throw new TemplateError(`unsupported ansible_connection '${declared}' for ${host}: expected local or ssh`);
  const hkc = get('ansible_host_key_checking', 'ansible_ssh_host_key_checking');
  return {
    host,
    kind,
    address: toText(get('ansible_host', 'ansible_ssh_host') ?? host),
    port: get('ansible_port', 'ansible_ssh_port') !== undefined ? Number(get('ansible_port', 'ansible_ssh_port')) : undefined,
    user: get('ansible_user', 'ansible_ssh_user', 'ansible_remote_user') as string | undefined,
    password: get('ansible_password', 'ansible_ssh_pass') as string | undefined,
    privateKeyFile: get('ansible_ssh_private_key_file', 'ansible_private_key_file') as string | undefined,
    hostKeyChecking: hkc === undefined ? undefined : toBool(hkc),
    sshCommonArgs: get('ansible_ssh_common_args') as string | undefined,
    proxyJump: get('ansible_ssh_proxy_jump') as string | undefined,
    connectTimeoutMs: get('ansible_timeout') !== undefined ? Number(get('ansible_timeout')) * 1000 : undefined,
    knownHostsFile: get('ansible_ssh_known_hosts_file') as string | undefined,
  };
}

/** Connects on first use, so controller-only tasks (debug, set_fact) never open a connection. */
class LazyConnection implements Connection {
  private conn: Promise<Connection> | undefined;
  private own = 0;
  constructor(
    readonly host: string,
    private readonly open: () => Promise<Connection>,
    private readonly log: (cmd: string) => void,
    private readonly signal?: AbortSignal,
  ) {}
  get commands(): number {
    return this.own;
  }
  private c(): Promise<Connection> {
    this.conn ??= this.open();
    return this.conn;
  }
  async exec(command: string, opts: ExecOptions = {}) {
    const c = await this.c();
    this.own++;
    const via = opts.become ? `(become ${opts.become.user} via ${opts.become.password !== undefined ? 'sudo -S, password on stdin' : 'sudo -n'}) ` : '';
    this.log(`${via}${command}`);
    return c.exec(command, { signal: this.signal, ...opts });
  }
  async put(dest: string, content: string | Buffer, opts?: PutOptions) {
    const c = await this.c();
    this.own++;
    this.log(`put ${dest} (${Buffer.byteLength(content)} bytes)`);
    return c.put(dest, content, opts);
  }
  async close() {}
}

async function callModule(task: Task, host: string, scope: Scope, env: TaskEnv): Promise<ModuleResult> {
  const { exec, ctx } = env;
  const mod = getModule(task.module)!;
  const rendered = render(task.args, scope) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rendered)) if (v === OMIT) delete rendered[k];
  const checked = checkArgs(mod, rendered, false);
  if (checked.errors.length) {
    return { failed: true, msg: checked.errors.map((e) => `${e.key}: ${e.message}`).join('; ') };
  }
  const kw = { ...ctx.kw, ...pick(task) };
  const delegate = kw.delegate_to !== undefined ? toText(render(kw.delegate_to, scope)) : undefined;
  const connHost = delegate ?? host;
  const connScope = delegate && delegate !== host ? exec.scope(delegate, { ...ctx, blockVars: [], params: {} }) : scope;
  const check = kw.check_mode === undefined || kw.check_mode === null ? exec.o.check : toBool(render(kw.check_mode, scope));
  const become = toBool(render(kw.become ?? false, scope))
    ? {
        user: kw.become_user !== undefined ? toText(render(kw.become_user, scope)) : 'root',
        password: ((): string | undefined => {
          const p = connScope.lookup('ansible_become_password');
          const q = p instanceof Undefined ? connScope.lookup('ansible_become_pass') : p;
          return q instanceof Undefined || q === undefined || q === null ? undefined : toText(q);
        })(),
      }
    : undefined;
  const envVars = kw.environment !== undefined ? (render(kw.environment, scope) as Record<string, unknown>) : {};
  const timeout = kw.timeout !== undefined ? Number(render(kw.timeout, scope)) * 1000 : undefined;
  const noLog = env.info.noLog;
  const cv = (): ConnectionVars => connectionVars(connHost, connScope, delegate === 'localhost' && !exec.o.inventory.hosts.has('localhost') ? 'local' : exec.o.connection);
  const conn = new LazyConnection(
    connHost,
    () => exec.pool.get(cv()),
    (cmd) => exec.o.reporter.verbose(3, `<${connHost}> EXEC ${noLog ? '(command hidden by no_log)' : cmd}`),
    exec.o.signal,
  );
  const role = task.role ?? ctx.role;
  const mctx: ModuleContext = {
    host,
    conn,
    check,
    diff: exec.o.diff,
    vars: scope,
    searchPaths: {
      files: [...(role ? [`${role.path}/files`, role.path] : []), `${task.dir}/files`, task.dir, `${exec.o.playbook.dir}/files`, exec.o.playbook.dir],
      templates: [...(role ? [`${role.path}/templates`, role.path] : []), `${task.dir}/templates`, task.dir, `${exec.o.playbook.dir}/templates`, exec.o.playbook.dir],
    },
    become,
    env: Object.fromEntries(Object.entries(envVars ?? {}).map(([k, v]) => [k, toText(v)])),
    timeoutMs: timeout,
    verbosity: exec.o.verbosity,
    warn: (m) => exec.o.reporter.warn(m),
  };
  try {
    const r = await mod.run(checked.args, mctx);
    if (r.ansible_facts && !r.failed) {
      const st = exec.state(host);
      if (mod.name === 'setup') {
        st.facts = { ...st.facts, ...r.ansible_facts, ansible_facts: { ...((st.facts.ansible_facts as Vars) ?? {}), ...stripPrefix(r.ansible_facts) } };
      } else if (mod.name === 'include_vars') Object.assign(st.includeVars, r.ansible_facts);
      else Object.assign(st.setFacts, r.ansible_facts);
    }
    return r;
  } catch (e) {
    if (e instanceof UnreachableError) return { unreachable: true, msg: e.message, changed: false };
    if (e instanceof TemplateError) throw e;
    return { failed: true, msg: (e as Error).message };
  }
}

function stripPrefix(facts: Vars): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(facts)) out[k.replace(/^ansible_/, '')] = v;
  return out;
}

function pick(task: Task): Vars {
  const out: Vars = {};
  for (const k of ['become', 'become_user', 'environment', 'no_log', 'check_mode', 'ignore_errors', 'ignore_unreachable', 'delegate_to', 'run_once', 'timeout'] as const) if (task[k] !== undefined) out[k] = task[k];
  return out;
}

/** One execution with until/retries, changed_when and failed_when applied. */
async function attempt(task: Task, host: string, scope: Scope, env: TaskEnv): Promise<TaskResult> {
  // ansible-core 2.14 makes retries+1 attempts: the first try plus `retries` retries.
  const retries = task.until !== undefined ? Math.max(0, Number(render(task.retries ?? 3, scope))) + 1 : 1;
  const delay = Number(render(task.delay ?? 5, scope));
  let result: TaskResult = { outcome: 'ok' };
  for (let n = 1; n <= retries; n++) {
    const raw = await callModule(task, host, scope, env);
    result = { ...raw, outcome: statusOf(raw) };
    if (result.outcome === 'unreachable' || result.outcome === 'skipped') return result;
    const withReg = task.register ? scope.with({ [task.register]: registered(result) }, true) : scope;
    if (task.changed_when !== undefined) {
      result.changed = evalCondition(task.changed_when, withReg);
    }
    if (task.failed_when !== undefined) {
      result.failed = evalCondition(task.failed_when, withReg);
      result.failed_when_result = result.failed;
    }
    result.outcome = statusOf(result);
    if (task.until === undefined) return result;
    result.attempts = n;
    const untilScope = task.register ? scope.with({ [task.register]: registered(result) }, true) : scope;
    if (result.outcome !== 'failed' && evalCondition(task.until, untilScope)) return result;
    if (n < retries) {
      env.exec.o.reporter.retry(host, env.info, retries - n, result);
      await new Promise((r) => setTimeout(r, delay * 1000));
    }
  }
  result.failed = true;
  result.outcome = 'failed';
  return result;
}

function templateFailure(e: TemplateError, task: Task): TaskResult {
  return {
    outcome: 'failed',
    failed: true,
    changed: false,
    msg: `The task includes an option with an undefined variable or a template error: ${e.message}. The error appears to be in '${task.loc.file}': line ${task.loc.line}, column ${task.loc.col}`,
  };
}

export async function runTaskOnHost(task: Task, host: string, env: TaskEnv): Promise<TaskResult | undefined> {
  const { exec, ctx, info } = env;
  const st = exec.state(host);
  const kw = { ...ctx.kw, ...pick(task) };
  let result: TaskResult;
  let scope: Scope | undefined;
  let delegatedTo: string | undefined;
  try {
    scope = exec.scope(host, ctx, task);
    if (kw.delegate_to !== undefined) delegatedTo = toText(render(kw.delegate_to, scope));
    const conds = [...ctx.when, ...task.when];
    if (task.loop !== undefined) {
      const loopVar = task.loop_control?.loop_var ?? 'item';
      const items = loopItems(task.loopKind ?? 'loop', task.loop, scope);
      const results: ItemResult[] = [];
      for (const [i, item] of items.entries()) {
        const extra: Vars = { [loopVar]: item, ansible_loop_var: loopVar };
        if (task.loop_control?.index_var) extra[task.loop_control.index_var] = i;
        extra.ansible_loop = { index: i + 1, index0: i, first: i === 0, last: i === items.length - 1, length: items.length };
        const s = scope.with(extra, true);
        const lbl = task.loop_control?.label !== undefined ? labelOf(render(task.loop_control.label, s)) : labelOf(item);
        let r: TaskResult;
        try {
          r = evalCondition(conds, s) ? await attempt(task, host, s, env) : { outcome: 'skipped', changed: false, skipped: true, skip_reason: 'Conditional result was False' };
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          r = templateFailure(e, task);
        }
        const ir: ItemResult = { ...r, item, label: lbl, ansible_loop_var: loopVar };
        results.push(ir);
        exec.o.reporter.itemResult(host, info, ir, delegatedTo);
        if (task.loop_control?.pause) await new Promise((res) => setTimeout(res, Number(task.loop_control!.pause) * 1000));
      }
      const anyFailed = results.some((r) => r.outcome === 'failed');
      const anyUnreach = results.some((r) => r.outcome === 'unreachable');
      const changed = results.some((r) => r.changed);
      const allSkipped = results.length > 0 && results.every((r) => r.outcome === 'skipped');
      result = {
        outcome: anyUnreach ? 'unreachable' : anyFailed ? 'failed' : !results.length || allSkipped ? 'skipped' : changed ? 'changed' : 'ok',
        changed,
        msg: anyFailed ? 'One or more items failed' : 'All items completed',
        results,
      };
      if (anyFailed) result.failed = true;
      if (!results.length) {
        result.skipped = true;
        result.skipped_reason = 'No items in the list';
        delete result.msg;
      } else if (allSkipped) {
        result.skipped = true;
        delete result.msg;
      }
    } else if (!evalCondition(conds, scope)) {
      result = { outcome: 'skipped', changed: false, skipped: true, skip_reason: 'Conditional result was False' };
    } else result = await attempt(task, host, scope, env);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    result = templateFailure(e, task);
  }
  if (result.outcome === 'failed' && toBool(render(kw.ignore_errors ?? false, scope ?? exec.scope(host, ctx)))) result.ignored = true;
  if (result.outcome === 'unreachable' && toBool(kw.ignore_unreachable ?? false)) result.ignored = true;
  if (task.register) st.setFacts[task.register] = registered(result);
  if (result.changed && task.notify.length && result.outcome !== 'failed') exec.notify(host, task.notify, ctx.play.play);
  if (result.outcome === 'failed' && !result.ignored) {
    st.failed = true;
    st.lastFailure = { task: { name: info.title, action: task.module }, result: registered(result) };
  }
  if (result.outcome === 'unreachable' && !result.ignored) st.unreachable = true;
  exec.count(host, result);
  exec.o.reporter.hostResult(host, info, result, delegatedTo);
  return result;
}

import { UnreachableError } from '../connection/types.js';
import { sourceDirs, type Task } from '../load/model.js';
import { checkArgs } from '../modules/args.js';
import { runModule } from '../modules/framework.js';
import type { ModuleContext, ModuleResult } from '../modules/types.js';
import { OMIT, TemplateError, toBool, toText, Undefined } from '../template/filters.js';
import type { Scope, Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import { connectionVars, LazyConnection } from './connect.js';
import { type TaskEnv, taskKeywords } from './context.js';

/**
 * One call of a task's module on one host: arguments rendered and checked, the
 * keywords in force (become, delegate_to, environment, check_mode, timeout)
 * turned into the module's context, and the facts it returns stored on the host.
 */
export async function callModule(task: Task, host: string, scope: Scope, env: TaskEnv): Promise<ModuleResult> {
  const { ctx } = env;
  if (task.unresolved) return { failed: true, msg: task.unresolved };
  const mod = env.module(task.module);
  const rendered = render(task.args, scope) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rendered)) if (v === OMIT) delete rendered[k];
  const checked = checkArgs(mod, rendered, false);
  if (checked.errors.length) {
    return { failed: true, msg: checked.errors.map((e) => `${e.key}: ${e.message}`).join('; ') };
  }
  const kw = taskKeywords(ctx, task);
  const delegate = kw.delegate_to !== undefined ? toText(render(kw.delegate_to, scope)) : undefined;
  const connHost = delegate ?? host;
  const connScope = delegate && delegate !== host ? env.scope(delegate, { ...ctx, blockVars: [], params: {} }) : scope;
  const check = kw.check_mode === undefined || kw.check_mode === null ? env.check : toBool(render(kw.check_mode, scope));
  const become = toBool(render(kw.become ?? false, scope))
    ? { user: kw.become_user !== undefined ? toText(render(kw.become_user, scope)) : 'root', password: becomePassword(connScope) }
    : undefined;
  const envVars = kw.environment !== undefined ? (render(kw.environment, scope) as Record<string, unknown>) : {};
  const noLog = env.info.noLog;
  // A task delegated to localhost runs locally unless the inventory defines localhost.
  const forced = delegate === 'localhost' && !env.inInventory('localhost') ? 'local' : env.connection;
  const conn = new LazyConnection(
    connHost,
    () => env.connect(connectionVars(connHost, connScope, forced)),
    (cmd) => env.reporter.verbose(3, `<${connHost}> EXEC ${noLog ? '(command hidden by no_log)' : cmd}`),
    env.signal,
  );
  const role = task.role ?? ctx.role;
  const mctx: ModuleContext = {
    host,
    conn,
    check,
    diff: env.diff,
    vars: scope,
    searchPaths: { files: sourceDirs('files', role, task.dir, env.playbookDir), templates: sourceDirs('templates', role, task.dir, env.playbookDir) },
    become,
    env: Object.fromEntries(Object.entries(envVars ?? {}).map(([k, v]) => [k, toText(v)])),
    timeoutMs: kw.timeout !== undefined ? Number(render(kw.timeout, scope)) * 1000 : undefined,
    verbosity: env.verbosity,
    warn: (m) => env.reporter.warn(m),
  };
  try {
    const r = await runModule(mod, checked.args, mctx);
    if (r.ansible_facts && !r.failed) storeFacts(env, host, mod.name, r.ansible_facts);
    return r;
  } catch (e) {
    if (e instanceof UnreachableError) return { unreachable: true, msg: e.message, changed: false };
    if (e instanceof TemplateError) throw e;
    return { failed: true, msg: (e as Error).message };
  }
}

function becomePassword(scope: Scope): string | undefined {
  const p = scope.lookup('ansible_become_password');
  const q = p instanceof Undefined ? scope.lookup('ansible_become_pass') : p;
  return q instanceof Undefined || q === undefined || q === null ? undefined : toText(q);
}

/** setup's facts become ansible_facts too; include_vars and set_fact each have their precedence level. */
function storeFacts(env: TaskEnv, host: string, module: string, facts: Vars): void {
  const st = env.state(host);
  if (module === 'setup') {
    const bare: Vars = {};
    for (const [k, v] of Object.entries(facts)) bare[k.replace(/^ansible_/, '')] = v;
    st.facts = { ...st.facts, ...facts, ansible_facts: { ...((st.facts.ansible_facts as Vars) ?? {}), ...bare } };
  } else if (module === 'include_vars') Object.assign(st.includeVars, facts);
  else Object.assign(st.setFacts, facts);
}

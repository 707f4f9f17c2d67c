import type { Task } from '../load/model.js';
import type { ModuleResult } from '../modules/types.js';
import { label as labelOf } from '../report/pyjson.js';
import type { ItemResult, Status, TaskResult } from '../report/types.js';
import { evalCondition } from '../template/expr.js';
import { TemplateError, toBool, toText } from '../template/filters.js';
import type { Scope, Vars } from '../template/scope.js';
import { render } from '../template/templar.js';
import { type TaskEnv, taskKeywords } from './context.js';
import { callModule } from './invoke.js';
import { loopItems } from './loops.js';

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
      env.reporter.retry(host, env.info, retries - n, result);
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
  const { ctx, info } = env;
  const st = env.state(host);
  const kw = taskKeywords(ctx, task);
  let result: TaskResult;
  let scope: Scope | undefined;
  let delegatedTo: string | undefined;
  try {
    scope = env.scope(host, ctx, task);
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
          r = evalCondition(conds, s)
            ? await attempt(task, host, s, env)
            : { outcome: 'skipped', changed: false, skipped: true, skip_reason: 'Conditional result was False' };
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          r = templateFailure(e, task);
        }
        const ir: ItemResult = { ...r, item, label: lbl, ansible_loop_var: loopVar };
        results.push(ir);
        env.reporter.itemResult(host, info, ir, delegatedTo);
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
  if (result.outcome === 'failed' && toBool(render(kw.ignore_errors ?? false, scope ?? env.scope(host, ctx)))) result.ignored = true;
  if (result.outcome === 'unreachable' && toBool(kw.ignore_unreachable ?? false)) result.ignored = true;
  if (task.register) st.setFacts[task.register] = registered(result);
  if (result.changed && task.notify.length && result.outcome !== 'failed') env.notify(host, task.notify);
  if (result.outcome === 'failed' && !result.ignored) {
    st.failed = true;
    st.lastFailure = { task: { name: info.title, action: task.module }, result: registered(result) };
  }
  if (result.outcome === 'unreachable' && !result.ignored) st.unreachable = true;
  env.record(host, result);
  env.reporter.hostResult(host, info, result, delegatedTo);
  return result;
}

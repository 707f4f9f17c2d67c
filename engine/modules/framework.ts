import { run } from './lib/remote.js';
import type { Change, Module, ModuleContext, ModuleResult, Operation, Plan } from './types.js';

/**
 * Runs a module on one host. For an operation: probe, plan, then apply unless
 * in check mode or nothing changes; the result's `changed` and `diff` come
 * from the plan, so check mode and --diff behave the same for every module.
 * For an action, check mode does what the action declares.
 */
export async function runModule(mod: Module, args: Record<string, unknown>, ctx: ModuleContext): Promise<ModuleResult> {
  if (mod.kind === 'operation') return runOperation(mod, args, ctx);
  if (!ctx.check || mod.check === 'run') return mod.run(args, ctx);
  const decided = mod.checkRun ? await mod.checkRun(args, ctx) : undefined;
  if (decided) return decided;
  const msg = mod.checkMsg ?? 'skipped in check mode';
  return mod.check === 'skip' ? { skipped: true, changed: false, msg } : { changed: false, msg };
}

async function runOperation<A, F, D, P>(mod: Operation<A, F, D, P>, args: A, ctx: ModuleContext): Promise<ModuleResult> {
  const prep = (mod.prepare ? await mod.prepare(args, ctx) : undefined) as P;
  const mode = { check: ctx.check, diff: ctx.diff, host: ctx.host };
  const probe = mod.probe(args, prep, mode);
  const facts = probe.parse(await run(ctx, probe.command));
  return carryOut(mod.plan(facts, args, prep, mode), ctx, (change) => mod.apply(change, args, ctx, prep));
}

/** Reports a plan (check mode, --diff, warnings) and applies it when it changes something and this is no dry run. */
async function carryOut<D>(plan: Plan<D>, ctx: ModuleContext, apply: (change: Change<D>) => Promise<ModuleResult | void>): Promise<ModuleResult> {
  for (const w of ('warnings' in plan ? plan.warnings : undefined) ?? []) ctx.warn(w);
  if (plan.action === 'fail') return { ...plan.result, failed: true, msg: plan.msg };
  if (plan.action === 'none') return { ...plan.result, changed: false };
  const result: ModuleResult = { ...plan.result, changed: true };
  if (ctx.diff && plan.diff) result.diff = plan.diff;
  if (plan.failure) Object.assign(result, { failed: true, msg: plan.failure });
  if (ctx.check) return result;
  const applied = await apply(plan);
  return { ...result, ...(applied ?? {}) };
}

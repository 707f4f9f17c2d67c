import type { Strategy } from '../context.js';

/** Each host walks the tasks on its own, as fast as it can; forks still bound the concurrency. */
export const free: Strategy = async (items, hosts, ctx, walker) => {
  await Promise.all(hosts.map((h) => walker.items(items, [h], ctx)));
};

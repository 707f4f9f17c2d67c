import type { Strategy } from '../context.js';

/** Ansible's default: every host finishes a task before any host starts the next. */
export const linear: Strategy = (items, hosts, ctx, walker) => walker.items(items, hosts, ctx);

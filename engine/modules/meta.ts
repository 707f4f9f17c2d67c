import { defineAction } from './types.js';

const ACTIONS = [
  'flush_handlers',
  'end_play',
  'end_host',
  'noop',
  'clear_facts',
  'clear_host_errors',
  'refresh_inventory',
  'reset_connection',
  'end_batch',
] as const;

/** The executor carries out meta actions itself; this file holds the schema and the docs. */
export const module = defineAction<{ _raw_params: string }>({
  kind: 'action',
  name: 'meta',
  description: `Controls the run: ${ACTIONS.join(', ')}.`,
  args: {},
  freeForm: true,
  check: 'run',
  preflight: (a) =>
    ACTIONS.includes(String(a._raw_params ?? '').trim() as (typeof ACTIONS)[number])
      ? []
      : [`expected one of ${ACTIONS.join(', ')}, got '${a._raw_params ?? ''}'`],
  async run() {
    return { changed: false, skipped: true };
  },
});

import type { Strategy } from '../context.js';
import { free } from './free.js';
import { linear } from './linear.js';

/** The strategies a play may name; a new one is one more file here. */
export const strategies: Record<'linear' | 'free', Strategy> = { linear, free };

import { stopLabIfStartedHere } from './lab-support.js';

/** Mocha root hooks: a lab the suite started is stopped at the end, also when tests failed. */
export const mochaHooks = {
  async afterAll(this: { timeout(ms: number): void }) {
    this.timeout(60000);
    await stopLabIfStartedHere();
  },
};

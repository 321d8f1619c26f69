import { describe, expect, it } from 'vitest';
import { listStrategies } from '../../src/strategies/strategy-registry.js';
import { runStrategyContract, type StrategyContractSubject } from '../../src/testing/strategy-contract.js';

const oneRequestPerClip = 'one request sees every frame of the clip, so there is no label per frame';

/** The cases each built-in strategy skips, and why; a strategy missing here fails the test below. */
const skips: Record<string, StrategyContractSubject['skip']> = {
  frame: {},
  mean: {},
  multi: { frameLabels: oneRequestPerClip },
  grid: { frameLabels: oneRequestPerClip },
};

describe('built-in strategies', () => {
  it('each has its entry (and skip reasons) here', () => {
    expect(listStrategies().map((strategy) => strategy.name).sort()).toEqual(Object.keys(skips).sort());
  });
});

for (const strategy of listStrategies()) runStrategyContract({ strategy, skip: skips[strategy.name] });

import { frameVoteStrategy } from './frame-vote-strategy.js';
import { gridStrategy } from './grid-strategy.js';
import { meanStrategy } from './mean-strategy.js';
import { multiFrameStrategy } from './multi-frame-strategy.js';
import type { Strategy } from './strategy.js';
import { EmolabelError } from '../errors.js';

const strategies = new Map<string, Strategy>([
  [frameVoteStrategy.name, frameVoteStrategy],
  [meanStrategy.name, meanStrategy],
  [multiFrameStrategy.name, multiFrameStrategy],
  [gridStrategy.name, gridStrategy],
]);

/** Adds or replaces a strategy (the LLM layer adds `multi` and `grid`). */
export function registerStrategy(strategy: Strategy): void {
  strategies.set(strategy.name, strategy);
}

export function listStrategies(): Strategy[] {
  return [...strategies.values()];
}

/** Looks a strategy up by name; an unknown name fails listing the known ones. */
export function getStrategy(name: string): Strategy {
  const strategy = strategies.get(name);
  if (strategy === undefined) {
    throw new EmolabelError('invalid_option', `Unknown strategy "${name}". Must be one of [${[...strategies.keys()].join(', ')}].`);
  }
  return strategy;
}

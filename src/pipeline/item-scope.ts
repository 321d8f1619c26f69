import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

/** Runs `work` with `itemId` as the current item, so wrappers deep below (request logs) can tell whose request it is. */
export function withItemScope<T>(itemId: string, work: () => Promise<T>): Promise<T> {
  return scope.run(itemId, work);
}

/** The id of the item whose work is running now, if any. */
export function currentItemId(): string | undefined {
  return scope.getStore();
}

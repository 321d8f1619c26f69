import type { Annotator } from '../../src/annotators/annotator.js';
import type { BatchCapability } from '../../src/annotators/batch-api.js';
import { EmolabelError } from '../../src/errors.js';

/**
 * `annotator` whose batch creates reach the provider but whose answers never come back (a dropped
 * connection, a kill between "sent" and "recorded"): the batch exists, the run does not know it.
 */
export function withLostBatchCreate(annotator: Annotator): Annotator {
  const capability = annotator.capabilities.batch as BatchCapability;
  return {
    ...annotator,
    capabilities: {
      ...annotator.capabilities,
      batch: {
        ...capability,
        client: () => {
          const client = capability.client();
          return { ...client, create: async (input, signal) => {
            await client.create(input, signal);
            throw new EmolabelError('provider_error', 'socket hang up', { isRetryable: true });
          } };
        },
      },
    },
  };
}

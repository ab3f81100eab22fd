import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type Stack, startStack } from './stack.ts';

/** A test file's stack and the log lines its handlers write (`lines` is emptied before each test). */
export interface StackInUse {
  readonly stack: Stack;
  lines: string[];
}

/**
 * One stack (KMS emulator, fauxqs) for the tests of a file: started once, its emulator and queues
 * reset before each test, stopped after the last. Call at the top level of the file.
 */
export function useStack(): StackInUse {
  let started: Stack | undefined;
  const inUse: StackInUse = {
    get stack(): Stack {
      if (started === undefined) throw new Error('useStack(): the stack is used before beforeAll started it');
      return started;
    },
    lines: [],
  };
  beforeAll(async () => {
    started = await startStack();
  });
  afterAll(async () => started?.stop());
  beforeEach(() => {
    inUse.stack.emulator.reset();
    inUse.stack.sqs.server.reset();
    inUse.lines = [];
  });
  return inUse;
}

import { expect } from 'vitest';

/**
 * given / when / then for a pure decision (emmett's DeciderSpecification): the state it is given,
 * the command or trigger it gets, and what it must decide. One shape for every pure rule:
 *
 *   const step = specification(decideStepOf);
 *   step.given(snapshotWaitingBefore('research')).when(trigger('research')).then({ kind: 'run' });
 */
export interface Specification<Given, When, Then> {
  given(state: Given): {
    when(input: When): {
      /** The decision deep-equals `expected`. */
      then(expected: Then): void;
      /** The decision matches `expected` partially (vitest's toMatchObject). */
      thenMatches(expected: Partial<Then> | Record<string, unknown>): void;
      /** Deciding throws an error whose message matches. */
      thenThrows(message: string | RegExp): void;
    };
  };
}

export function specification<Given, When, Then>(decide: (given: Given, when: When) => Then): Specification<Given, When, Then> {
  return {
    given: (state) => ({
      when: (input) => ({
        then: (expected) => expect(decide(state, input)).toEqual(expected),
        thenMatches: (expected) => expect(decide(state, input)).toMatchObject(expected),
        thenThrows: (message) => expect(() => decide(state, input)).toThrow(message),
      }),
    }),
  };
}

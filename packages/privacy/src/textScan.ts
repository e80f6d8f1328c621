/** Small character tests shared by the detectors; every scan built on them is a single pass. */

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const DIGIT = /\d/;

export function isWordChar(char: string | undefined): boolean {
  return char !== undefined && WORD_CHAR.test(char);
}

export function isDigit(char: string | undefined): boolean {
  return char !== undefined && DIGIT.test(char);
}

/**
 * True when the token that starts at `start` is glued to the text before it: a letter or digit
 * right before it, a joiner (`-`, `/`, `#`, `_`) after a letter or digit (`ORD-1234…`), or a
 * decimal point or thousands separator after a digit (`1,249.99`).
 */
export function attachedBefore(text: string, start: number): boolean {
  const previous = text[start - 1];
  if (isWordChar(previous)) return true;
  const beforeThat = text[start - 2];
  if (previous === '-' || previous === '/' || previous === '#') return isWordChar(beforeThat);
  if (previous === '.' || previous === ',') return isDigit(beforeThat);
  return false;
}

/** The same test after a token that ends at `end` (exclusive). */
export function attachedAfter(text: string, end: number): boolean {
  const next = text[end];
  if (isWordChar(next)) return true;
  const afterThat = text[end + 1];
  if (next === '-' || next === '/') return isWordChar(afterThat);
  if (next === '.' || next === ',') return isDigit(afterThat);
  return false;
}


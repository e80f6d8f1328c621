/**
 * JSON Schema patterns for the routes' case-insensitive filters, so the OpenAPI document says
 * exactly what the routes accept (a JSON Schema pattern has no case-insensitive flag).
 */

/** `pending` → `[Pp][Ee][Nn][Dd][Ii][Nn][Gg]`. */
const anyCase = (value: string): string =>
  [...value].map((char) => (char.toLowerCase() === char.toUpperCase() ? char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : `[${char.toUpperCase()}${char.toLowerCase()}]`)).join('');

/** Exactly one of `values`, in any case (not empty). */
export const anyCasePattern = (values: readonly string[]): string => `^(${values.map(anyCase).join('|')})$`;

/** A comma-separated list of `values` in any case, with spaces around each allowed (not empty). */
export const anyCaseListPattern = (values: readonly string[]): string => {
  const one = `\\s*(${values.map(anyCase).join('|')})\\s*`;
  return `^${one}(,${one})*$`;
};

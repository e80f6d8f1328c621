import { finding, type PiiFinding } from './findings.js';

// Pragmatic, not RFC 5322: the characters people actually use, Unicode letters included.
const LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;
const DOMAIN_CHAR = /[\p{L}\p{N}.-]/u;
const LABEL = /^[\p{L}\p{N}-]{1,63}$/u;
const TOP_LEVEL = /^\p{L}{2,63}$/u;
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

function domainValid(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const labelValid = (label: string) => LABEL.test(label) && !label.startsWith('-') && !label.endsWith('-');
  return labels.every(labelValid) && TOP_LEVEL.test(labels[labels.length - 1] ?? '');
}

/**
 * E-mail addresses. Each `@` is expanded to the left and right with bounded character scans (no
 * regex over the whole address), so a long run of address characters costs linear time.
 */
export function findEmails(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > lastEnd && at - start < MAX_LOCAL && LOCAL_CHAR.test(text[start - 1] ?? '')) start--;
    while (start < at && text[start] === '.') start++;
    const local = text.slice(start, at);
    if (local === '' || local.endsWith('.') || local.includes('..')) continue;
    let end = at + 1;
    while (end < text.length && end - at - 1 < MAX_DOMAIN && DOMAIN_CHAR.test(text[end] ?? '')) end++;
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    if (!domainValid(text.slice(at + 1, end))) continue;
    found.push(finding('email', text, start, end));
    lastEnd = end;
  }
  return found;
}

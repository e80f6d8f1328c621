import type { Audience } from '@supportstream/domain';
import { InvalidInputError } from '@supportstream/errors';

export interface MarkdownChunk {
  /** Deterministic: the file path, the heading trail and the chunk's index within its section. */
  readonly id: string;
  readonly path: string;
  /** The heading trail, e.g. `Refund policy › Duplicate charges`. */
  readonly title: string;
  readonly headings: readonly string[];
  /** Position within its section and audience (a long section becomes several chunks). */
  readonly index: number;
  readonly text: string;
  /** `agent` for a note for agents (`> **For agents:** …`), which never goes to a customer; else `customer`. */
  readonly audience: Audience;
}

export interface ChunkOptions {
  /** Upper bound on a chunk's text (default 1200 characters); a longer paragraph is split at sentences. */
  readonly maxChars?: number;
}

interface Section {
  readonly headings: readonly string[];
  readonly lines: string[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(```|~~~)/;
/** The start of a note for agents: `> **For agents:**` (also `**For agents**:` or `For agents:`, with or without `>`). */
const NOTE_MARKER = /^ {0,3}(?:>[ \t]?)?[ \t]*(?:\*\*|__)?for agents(?:\*\*|__)?:(?:\*\*|__)?[ \t]*/i;
const QUOTE_PREFIX = /^ {0,3}>[ \t]?/;

/**
 * Splits a markdown document on headings, then packs its paragraphs into chunks of at most
 * `maxChars`. Each chunk keeps the trail of headings above it as its title, so "Duplicate charges"
 * under "Refund policy" stays findable by both. Headings inside code fences are text; YAML front
 * matter is dropped; sections without text (a heading directly followed by a sub-heading) yield
 * no chunk.
 *
 * A block that starts with `> **For agents:**` (a blockquote, which may run over several
 * paragraphs joined by `>` lines) is a note for agents: its text, without the marker and the `>`,
 * goes into chunks of their own with the audience `agent` and ids `…:agent:<index>`, and the rest
 * of the section into the customer chunks, whose ids do not change.
 */
export function chunkMarkdown(path: string, text: string, options: ChunkOptions = {}): MarkdownChunk[] {
  const maxChars = options.maxChars ?? 1200;
  if (!Number.isInteger(maxChars) || maxChars < 100) throw new InvalidInputError('KNOWLEDGE_CHUNK_INVALID', `maxChars must be an integer ≥ 100, got ${maxChars}`);
  const chunks: MarkdownChunk[] = [];
  const seenTrails = new Map<string, number>();
  for (const section of sections(stripFrontMatter(text))) {
    const body = paragraphs(section.lines);
    if (body.length === 0) continue;
    const trail = section.headings.join(' › ');
    // Two sections with the same trail (a repeated heading) get distinct ids by occurrence.
    const occurrence = seenTrails.get(trail) ?? 0;
    seenTrails.set(trail, occurrence + 1);
    const anchor = `${section.headings.map(slug).join('/') || '_'}${occurrence > 0 ? `~${occurrence}` : ''}`;
    const notes = body.map(noteText);
    const byAudience: Record<Audience, string[]> = {
      customer: body.filter((_block, i) => notes[i] === undefined),
      agent: notes.filter((note): note is string => note !== undefined && note !== ''),
    };
    for (const audience of ['customer', 'agent'] as const) {
      const prefix = audience === 'agent' ? `${anchor}:agent` : anchor;
      pack(byAudience[audience], maxChars).forEach((chunkText, index) => {
        chunks.push({ id: `${path}#${prefix}:${index}`, path, title: trail || path, headings: section.headings, index, text: chunkText, audience });
      });
    }
  }
  return chunks;
}

/** The text of a note for agents without its marker and quote prefixes; undefined for any other block. */
function noteText(block: string): string | undefined {
  if (!NOTE_MARKER.test(block)) return undefined;
  const lines = block.replace(NOTE_MARKER, '').split('\n');
  const quoted = QUOTE_PREFIX.test(block);
  return lines
    .map((line, i) => (quoted && i > 0 ? line.replace(QUOTE_PREFIX, '') : line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function stripFrontMatter(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  const match = /^---\n[\s\S]*?\n---\n/.exec(normalized);
  return match === null ? normalized : normalized.slice(match[0].length);
}

function sections(text: string): Section[] {
  const result: Section[] = [];
  let trail: string[] = [];
  let current: Section = { headings: [], lines: [] };
  result.push(current);
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch !== null) {
      if (fence === undefined) fence = fenceMatch[1];
      else if (fenceMatch[1] === fence) fence = undefined;
    }
    const heading = fence === undefined && fenceMatch === null ? HEADING.exec(line) : null;
    if (heading !== null) {
      const level = heading[1]!.length;
      trail = [...trail.slice(0, level - 1), inline(heading[2]!)];
      current = { headings: trail, lines: [] };
      result.push(current);
    } else {
      current.lines.push(line);
    }
  }
  return result;
}

/** Blank-line separated blocks; a fenced code block stays one block even with blank lines inside. */
function paragraphs(lines: readonly string[]): string[] {
  const blocks: string[] = [];
  let block: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const joined = block.join('\n').trim();
    if (joined !== '') blocks.push(joined);
    block = [];
  };
  for (const line of lines) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch !== null) {
      if (fence === undefined) fence = fenceMatch[1];
      else if (fenceMatch[1] === fence) fence = undefined;
    }
    if (fence === undefined && fenceMatch === null && line.trim() === '') flush();
    else block.push(line);
  }
  flush();
  return blocks;
}

/** Greedy packing of whole paragraphs; only a paragraph longer than the bound is cut, at sentences. */
function pack(blocks: readonly string[], maxChars: number): string[] {
  const pieces = blocks.flatMap((block) => (block.length <= maxChars ? [block] : splitLong(block, maxChars)));
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current === '') current = piece;
    else if (current.length + 2 + piece.length <= maxChars) current = `${current}\n\n${piece}`;
    else {
      chunks.push(current);
      current = piece;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

function splitLong(block: string, maxChars: number): string[] {
  const sentences = block.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [block];
  const parts: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (current.length + sentence.length <= maxChars) {
      current += sentence;
      continue;
    }
    if (current.trim() !== '') parts.push(current.trim());
    current = sentence;
    // A single sentence beyond the bound is cut hard.
    while (current.length > maxChars) {
      parts.push(current.slice(0, maxChars).trim());
      current = current.slice(maxChars);
    }
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** Heading text without inline markup: `**Refunds** over [25 EUR](x)` → `Refunds over 25 EUR`. */
function inline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .trim();
}

export function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'section'
  );
}

import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LevelWithSilent;
  /** `pretty` prints one readable line per record for people; `json` is for machines. */
  readonly format?: 'json' | 'pretty';
  /** Where records go; defaults to stdout. Tests pass a stream to inspect records. */
  readonly destination?: NodeJS.WritableStream;
}

const PRETTY_KEYS_FIRST = ['component', 'correlationId', 'topic', 'partition', 'offset', 'node'];

/** The one root logger of a process; components take `logger.child({ component })`. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const base = { service: options.service };
  const level = options.level ?? 'info';
  if (options.format !== 'pretty') {
    return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, destination as pino.DestinationStream);
  }
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, prettyStream(destination));
}

function prettyStream(out: NodeJS.WritableStream): pino.DestinationStream {
  return {
    write(line: string) {
      const record = JSON.parse(line) as Record<string, unknown>;
      const { time, level, msg, service, ...rest } = record;
      const label = pino.levels.labels[Number(level)] ?? String(level);
      const ordered = [...PRETTY_KEYS_FIRST.filter((key) => key in rest), ...Object.keys(rest).filter((key) => !PRETTY_KEYS_FIRST.includes(key))];
      const fields = ordered.map((key) => `${key}=${formatValue(rest[key])}`).join(' ');
      out.write(`${String(time)} ${label.toUpperCase().padEnd(5)} [${String(service)}] ${typeof msg === 'string' ? msg : ''}${fields ? `  ${fields}` : ''}\n`);
    },
  };
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

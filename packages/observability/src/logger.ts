import { maskDeep } from '@supportstream/privacy/mask';
import { pino, type Logger, type LevelWithSilent, type LoggerOptions as PinoOptions } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LevelWithSilent;
  /** `pretty` prints one readable line per record for people; `json` is for machines. */
  readonly format?: 'json' | 'pretty';
  /** Where records go; defaults to stdout. Tests pass a stream to inspect records. */
  readonly destination?: NodeJS.WritableStream;
  /**
   * Personal data in every string of a record (the message, fields at any depth, errors' messages
   * and stacks) replaced by placeholders such as `[card ••••4242]` (default true). Off only for a
   * tool whose output is the customer's own text.
   */
  readonly maskPersonalData?: boolean;
}

/** Secrets never reach a log, whatever their value: these keys are censored at the top level and one level down. */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'apiKey', 'api_key', 'token', 'secret', 'masterKey', 'x-api-key'];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [`["${key}"]`, `*["${key}"]`, `headers["${key}"]`, `req.headers["${key}"]`]);

/** Masked copies of a log call's arguments: strings at any depth (bounded: a record may hold a cycle), errors as records. */
const MASK_OPTIONS = { maxDepth: 6, errorsAsRecords: true } as const;

function pinoOptions(options: LoggerOptions): PinoOptions {
  return {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(options.maskPersonalData === false
      ? {}
      : {
          hooks: {
            // Runs only for records at an enabled level, before serialisation.
            logMethod(args: unknown[], method: (...rest: unknown[]) => void) {
              method.apply(this, args.map((arg) => maskDeep(arg, MASK_OPTIONS)));
            },
          },
        }),
  };
}

const PRETTY_KEYS_FIRST = ['component', 'correlationId', 'topic', 'partition', 'offset', 'node'];

/** The one root logger of a process; components take `logger.child({ component })`. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  if (options.format !== 'pretty') return pino(pinoOptions(options), destination as pino.DestinationStream);
  return pino(pinoOptions(options), prettyStream(destination));
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

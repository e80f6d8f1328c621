import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './ports.js';
import { startTcpProxy, type TcpProxy } from './tcpProxy.js';
import { waitFor } from './waitFor.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);

export interface PrivateBroker {
  /** The bootstrap address clients use: the proxy, which is also what the broker advertises. */
  readonly brokers: readonly string[];
  /** Cut it for a Kafka outage as the clients see it (the broker itself keeps running). */
  readonly proxy: TcpProxy;
  /** The broker's own log, for a failure message. */
  readonly logFile: string;
  stop(): Promise<void>;
}

function javaBinary(): string {
  const home = process.env['JAVA_HOME'];
  return home !== undefined && existsSync(join(home, 'bin/java')) ? join(home, 'bin/java') : 'java';
}

/**
 * A single-node KRaft broker of its own for a test that must take Kafka away without touching the
 * shared one: the jars the local stack fetched (.cache/kafka/libs), a data directory in /tmp, and
 * a TCP proxy in front of it that is also its advertised listener. Clients only ever reach it
 * through the proxy (the metadata names the proxy), so cutting the proxy cuts every connection,
 * which a proxy on the bootstrap address alone could not do.
 */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const libs = join(ROOT, '.cache/kafka/libs');
  if (!existsSync(libs)) throw new Error(`no Kafka jars in ${libs}: start the local stack once (npm run stack up) to fetch them`);
  const dir = await mkdtemp(join(tmpdir(), 'supportstream-broker-'));
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: brokerPort });
  const properties = join(dir, 'server.properties');
  const logFile = join(dir, 'kafka.log');
  await writeFile(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${proxy.address}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'auto.create.topics.enable=false',
      'num.partitions=3',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const java = javaBinary();
  const common = ['-cp', `${libs}/*`, `-Dlog4j.configuration=file:${join(ROOT, 'deploy/local/kafka/log4j.properties')}`, `-Dsupportstream.kafka.log=${logFile}`];
  await run(java, ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', ...common, 'kafka.tools.StorageTool', 'format', '-t', Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url'), '-c', properties], { timeout: 60_000 });
  const broker: ChildProcess = spawn(java, ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', ...common, 'kafka.Kafka', properties], { stdio: 'ignore' });
  const exited = new Promise<void>((resolveExit) => broker.once('exit', () => resolveExit()));

  const stop = async () => {
    await proxy.close();
    if (broker.exitCode === null && broker.signalCode === null) {
      broker.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const admin = new Kafka({ brokers: [proxy.address], clientId: 'private-broker-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await waitFor(
      async () => {
        if (broker.exitCode !== null) return 'exited';
        try {
          await admin.connect();
          await admin.describeCluster();
          return true;
        } catch {
          return false;
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      { timeoutMs: 90_000, intervalMs: 500, description: `the private broker to answer on ${proxy.address} (log ${logFile})` },
    ).then((outcome) => {
      if (outcome === 'exited') throw new Error(`the private broker exited with ${broker.exitCode}; see ${logFile}`);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers: [proxy.address], proxy, logFile, stop };
}

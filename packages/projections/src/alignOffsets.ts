import { ConfigError } from '@supportstream/errors';
import { groupOffsets, setGroupOffsets, topicOffsets, type KafkaClient } from '@supportstream/kafka';
import type { Logger } from '@supportstream/observability';
import type { Projector } from './projector.js';

/**
 * The projector's stored offsets are the truth. If the group's committed offsets are ahead of them
 * (the read model was restored from a backup, or dropped to be rebuilt), rewinding the group is
 * the only way not to skip events; behind is harmless (those messages are skipped in the
 * transaction). Kafka only rewinds a group with no live members, so this runs before joining.
 */
export async function alignGroupOffsets(options: { kafka: KafkaClient; groupId: string; topics: readonly string[]; projector: Projector; logger: Logger }): Promise<number> {
  const stored = await options.projector.offsets();
  const committed = await groupOffsets(options.kafka, options.groupId, options.topics);
  const low = new Map((await topicOffsets(options.kafka, [...new Set(committed.map((entry) => entry.topic))])).map((entry) => [`${entry.topic}:${entry.partition}`, entry.low]));
  let rewound = 0;
  for (const topic of new Set(committed.map((entry) => entry.topic))) {
    const rewinds = committed
      .filter((entry) => entry.topic === topic && entry.offset >= 0n)
      .map(({ partition, offset }) => ({ partition, committed: offset, target: stored.get(`${topic}:${partition}`) ?? low.get(`${topic}:${partition}`) ?? 0n }))
      .filter(({ committed: at, target }) => at > target);
    if (rewinds.length === 0) continue;
    try {
      await setGroupOffsets(options.kafka, options.groupId, topic, rewinds.map(({ partition, target }) => ({ partition, offset: target })));
    } catch (error) {
      throw new ConfigError(
        `group ${options.groupId} has committed offsets on ${topic} ahead of the read model (${rewinds.map((entry) => `${entry.partition}: ${entry.committed} > ${entry.target}`).join(', ')}) and cannot be rewound while it has members; stop every projections instance and start again`,
        { cause: error },
      );
    }
    for (const entry of rewinds) options.logger.warn({ topic, partition: entry.partition, from: entry.committed.toString(), to: entry.target.toString() }, 'group offset rewound to the read model');
    rewound += rewinds.length;
  }
  return rewound;
}

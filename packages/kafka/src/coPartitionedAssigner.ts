import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export interface CoPartitionedOptions {
  /** Members the group waits for: until this many have joined, nobody is given a partition. */
  readonly members: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Co-located partitions go to the same member. Our topics are keyed by conversation, and Kafka's
 * default partitioner puts a key at murmur2(key) mod n: with partition counts 6 and 3, a key's
 * partition on the 3-partition topic is its 6-partition one mod 3. So partition p of every topic
 * belongs to group p mod g, g the greatest common divisor of the partition counts, and one member
 * holding a group sees every event of its conversations whatever the topic: state folded per
 * member in memory needs nothing from the others, and counters add. Groups go to the members
 * sorted by id, round robin (at most g members get work).
 *
 * Until `members` members have joined, every member gets an empty assignment: a member that
 * started folding must not lose a partition to a late joiner.
 */
export function coPartitionedAssigner(options: CoPartitionedOptions): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'SupportstreamCoPartitioned',
    version: 1,
    assign({ members, topics }) {
      const partitions = topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map(({ partitionId }) => partitionId)] as const);
      const assignments = assignCoPartitioned(
        members.map(({ memberId }) => memberId),
        partitions,
        options.members,
      );
      return Promise.resolve(
        [...assignments].map(([memberId, assignment]) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
        })),
      );
    },
    protocol({ topics }) {
      return { name: 'SupportstreamCoPartitioned', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

/** The assignment itself (member id → topic → partitions), every member listed, empty until `expectedMembers` joined. */
export function assignCoPartitioned(
  memberIds: readonly string[],
  partitions: readonly (readonly [topic: string, partitionIds: readonly number[]])[],
  expectedMembers: number,
): Map<string, Record<string, number[]>> {
  const sorted = [...memberIds].sort();
  const assignments = new Map<string, Record<string, number[]>>(sorted.map((memberId) => [memberId, {}]));
  if (sorted.length < expectedMembers) return assignments;
  const groups = partitions.reduce((divisor, [, ids]) => gcd(divisor, ids.length), 0);
  for (const [topic, ids] of partitions) {
    for (const partitionId of ids) {
      const owner = assignments.get(sorted[(partitionId % groups) % sorted.length] ?? '');
      if (owner !== undefined) (owner[topic] ??= []).push(partitionId);
    }
  }
  return assignments;
}

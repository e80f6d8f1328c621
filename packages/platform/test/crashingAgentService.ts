// Test-only entry point: an agent service that kills itself at random in the two crash windows of
// a step (the crash test starts it in place of services/<name>/dist/main.js). The fault is a
// decorator of the step publisher, never an option of production code.
//   node --import tsx packages/platform/test/crashingAgentService.ts <service>
//   CRASH_AFTER_CHECKPOINT=0.04 CRASH_AFTER_PUBLISH=0.04 (probabilities per step announcement)
import type { StepPublisher } from '@supportstream/pipeline';
import { AGENT_SERVICE_SPECS, startAgentService, type AgentServiceKey } from '../src/index.js';

const name = process.argv[2] as AgentServiceKey | undefined;
if (name === undefined || !(name in AGENT_SERVICE_SPECS)) throw new Error(`usage: crashingAgentService.ts <${Object.keys(AGENT_SERVICE_SPECS).join('|')}>`);
const probability = (variable: string) => Number(process.env[variable] ?? '0');
const afterCheckpoint = probability('CRASH_AFTER_CHECKPOINT');
const afterPublish = probability('CRASH_AFTER_PUBLISH');

function crash(where: string): void {
  process.stderr.write(`${JSON.stringify({ level: 50, msg: 'fault injection: killing this process', where })}\n`);
  process.kill(process.pid, 'SIGKILL');
}

/** Dies after a step was checkpointed but before its events were produced, or after producing, before the offset commit. */
const crashing = (publisher: StepPublisher): StepPublisher => ({
  run: (...args) => publisher.run(...args),
  async publish(outcomes, trigger, context) {
    if (outcomes.some((outcome) => outcome.kind === 'ran') && Math.random() < afterCheckpoint) crash('after checkpoint, before produce');
    await publisher.publish(outcomes, trigger, context);
    if (Math.random() < afterPublish) crash('after produce, before commit');
  },
});

await startAgentService(AGENT_SERVICE_SPECS[name], undefined, { decoratePublisher: crashing });

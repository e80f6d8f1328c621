import type { ChatModel, ChatRequest, ChatResponse } from '../src/port.js';

export interface ScriptedModel extends ChatModel {
  readonly requests: ChatRequest[];
}

/** A fake ChatModel that answers with the scripted contents (or throws the scripted errors) in order. */
export function scriptedModel(script: readonly (string | Error | (() => Promise<ChatResponse>))[], options: { provider?: string; model?: string } = {}): ScriptedModel {
  const requests: ChatRequest[] = [];
  const steps = [...script];
  const model = options.model ?? 'gpt-4o-mini';
  return {
    provider: options.provider ?? 'openai',
    model,
    requests,
    async complete(request) {
      requests.push(request);
      const step = steps.shift();
      if (step === undefined) throw new Error('scripted model: no more answers');
      if (step instanceof Error) throw step;
      if (typeof step === 'function') return step();
      return { content: step, usage: { promptTokens: 1000, completionTokens: 100 }, model, finishReason: 'stop' };
    },
  };
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChatModel, ChatModelCapabilities } from './chat-model';
import type { ChatRequest } from './chat-request';
import { type ChatResult, createUsage } from './chat-result';
import { NoObjectGeneratedError } from './errors/no-object-generated-error';
import { generateObject } from './generate-object';
import { parseToolArguments } from './tool-arguments';

// A contract-level model that answers from a list and records requests. Wire-level behaviour is
// tested in each adapter against the testkit's HTTP fakes; this covers generateObject's own logic.
function listModel(
  capabilities: Partial<ChatModelCapabilities>,
  answers: Array<{ text?: string; tool?: string }>,
) {
  const requests: ChatRequest[] = [];
  const model: ChatModel = {
    provider: 'list',
    modelId: 'm',
    capabilities: {
      tools: false,
      vision: false,
      jsonMode: false,
      jsonSchema: false,
      streaming: false,
      ...capabilities,
    },
    async chat(request) {
      requests.push(structuredClone(request));
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      const result: ChatResult = {
        text: answer.text ?? '',
        toolCalls:
          answer.tool === undefined ? [] : [{ id: 't1', name: 'plan', ...parseToolArguments(answer.tool) }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: createUsage({ inputTokens: 10, outputTokens: 5 }),
        costUsd: 0.001,
        latencyMs: 1,
        provider: 'list',
        modelId: 'm',
        raw: null,
      };
      return result;
    },
    stream() {
      throw new Error('not used');
    },
  };
  return { model, requests };
}

const schema = z.object({ vmid: z.number().int(), target: z.string().min(1) });

describe('generateObject', () => {
  it.each([
    [{ jsonSchema: true, tools: true }, 'json-schema'],
    [{ tools: true, jsonMode: true }, 'tool'],
    [{ jsonMode: true }, 'json'],
    [{}, 'text'],
  ] as const)('picks the strongest native mode for %o', async (capabilities, mode) => {
    const answer =
      mode === 'tool' ? { tool: '{"vmid":1,"target":"a"}' } : { text: '{"vmid":1,"target":"a"}' };
    const { model, requests } = listModel(capabilities, [answer]);
    const result = await generateObject(model, { schema, prompt: 'go', schemaName: 'plan' });
    expect(result.mode).toBe(mode);
    const request = requests[0]!;
    if (mode === 'tool') expect(request.toolChoice).toEqual({ name: 'plan' });
    if (mode === 'json-schema') expect(request.responseFormat).toMatchObject({ type: 'json', name: 'plan' });
    if (mode === 'text' || mode === 'json') expect(request.messages[0]?.content).toContain('JSON Schema');
  });

  it('repairs in tool mode by returning the errors as a tool result', async () => {
    const { model, requests } = listModel({ tools: true }, [
      { tool: '{"vmid":"x","target":"a"}' },
      { tool: '{"vmid":7,"target":"b"}' },
    ]);
    const result = await generateObject(model, { schema, prompt: 'go', schemaName: 'plan' });
    expect(result.object).toEqual({ vmid: 7, target: 'b' });
    expect(result.usage.totalTokens).toBe(30);
    expect(result.costUsd).toBeCloseTo(0.002);
    const repair = requests[1]!.messages.at(-1);
    expect(repair).toMatchObject({ role: 'tool', toolCallId: 't1', isError: true });
    expect(repair?.content).toContain('vmid');
  });

  it('extracts JSON from prose in text mode', async () => {
    const { model } = listModel({}, [{ text: 'Move it:\n```json\n{"vmid": 101, "target": "pve2",}\n```' }]);
    expect((await generateObject(model, { schema, prompt: 'go' })).object).toEqual({
      vmid: 101,
      target: 'pve2',
    });
  });

  it('gives up after maxRepairs with every attempt, never inventing an object', async () => {
    const { model, requests } = listModel({}, [{ text: 'no' }, { text: '{"vmid":1}' }]);
    const error = await generateObject(model, { schema, prompt: 'go', maxRepairs: 1 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NoObjectGeneratedError);
    const attempts = (error as NoObjectGeneratedError).attempts;
    expect(attempts.map((attempt) => attempt.issues[0]?.path)).toEqual(['(root)', 'target']);
    expect(requests).toHaveLength(2);
  });

  it.each([
    ['text', {}, (json: string) => ({ text: json })],
    ['tool', { tools: true }, (json: string) => ({ tool: json })],
  ] as const)(
    'in %s mode, a key given twice with different values is repaired, not read as its last value',
    async (_, capabilities, answer) => {
      const { model, requests } = listModel(capabilities, [
        answer('{"vmid": 101, "target": "pve2", "target": "pve9"}'),
        answer('{"vmid": 101, "target": "pve2"}'),
      ]);
      const result = await generateObject(model, { schema, prompt: 'go', schemaName: 'plan' });
      expect(result.object).toEqual({ vmid: 101, target: 'pve2' });
      expect(result.rejectedAttempts[0]?.issues[0]).toMatchObject({ path: 'target', code: 'duplicate_key' });
      expect(JSON.stringify(requests[1]!.messages.at(-1))).toContain('target');
    },
  );

  it('lets model-call errors through unchanged', async () => {
    const { model } = listModel({}, []);
    await expect(generateObject(model, { schema, prompt: 'go' })).rejects.toThrow('no more answers');
  });
});

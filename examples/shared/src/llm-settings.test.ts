import { describe, expect, it } from 'vitest';
import { modelFromEnvironment } from './llm-settings';

describe('LLM settings of the examples', () => {
  it('has no model without settings, and says how to add one', () => {
    const { model, description } = modelFromEnvironment({});
    expect(model).toBeUndefined();
    expect(description).toContain('OPENAI_API_KEY and OPENAI_MODEL');
    expect(description).toContain('docs/getting-started.md#llm-settings');
  });

  it('never guesses a model id for a key alone', () => {
    const { model, description } = modelFromEnvironment({ ANTHROPIC_API_KEY: 'sk-ant-x' });
    expect(model).toBeUndefined();
    expect(description).toContain('ANTHROPIC_API_KEY is set but ANTHROPIC_MODEL is not');
  });

  it('puts every configured provider behind one balancer', () => {
    const { model, description } = modelFromEnvironment({
      OPENAI_API_KEY: 'sk-x',
      OPENAI_MODEL: 'gpt-x',
      GROQ_API_KEY: 'gsk_x',
      GROQ_MODEL: 'llama-x',
      OLLAMA_HOST: 'http://127.0.0.1:11434',
      OLLAMA_MODEL: 'qwen-x',
      ANTHROPIC_API_KEY: 'sk-ant-x',
    });
    expect(model?.provider).toBe('balancer');
    expect(description).toBe(
      'balancer over openai:gpt-x, groq:llama-x, ollama:qwen-x (skipped: ANTHROPIC_API_KEY is set but ANTHROPIC_MODEL is not)',
    );
  });
});

export type { StreamFrame, WireDialect } from './llm/dialect';
export { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './llm/fake-llm-server';
export { openaiDialect, startFakeOpenAI } from './llm/openai-dialect';
export type {
  Fault,
  ReceivedRequest,
  Responder,
  ScriptedFinish,
  ScriptedReply,
  ScriptedToolCall,
  ScriptedUsage,
} from './llm/scripted-reply';
export { groqDialect, startFakeGroq } from './llm/groq-dialect';
export { anthropicDialect, startFakeAnthropic } from './llm/anthropic-dialect';
export { ollamaDialect, startFakeOllama } from './llm/ollama-dialect';
export * from './kubernetes/index';
export * from './proxmox/index';

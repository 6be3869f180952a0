export * from './avi/index';
export type { LoopbackServer } from './http/loopback-server';
export type { TrafficCounters } from './http/traffic-gauge';
export * from './kubernetes/index';
export { anthropicDialect, startFakeAnthropic } from './llm/anthropic-dialect';
export type { StreamFrame, WireDialect } from './llm/dialect';
export { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './llm/fake-llm-server';
export { groqDialect, startFakeGroq } from './llm/groq-dialect';
export { leakedKeyFragments, startKeyEchoServer } from './llm/key-echo-server';
export { ollamaDialect, startFakeOllama } from './llm/ollama-dialect';
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
export * from './proxmox/index';

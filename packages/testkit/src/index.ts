export * from './avi/index';
export type { LoopbackServer } from './http/loopback-server';
export type { TrafficCounters } from './http/traffic-gauge';
export * from './kubernetes/index';
export { anthropicDialect, startFakeAnthropic } from './llm/anthropic-dialect';
export { deterministicEmbedding } from './llm/deterministic-embedding';
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
export { type RedisForTests, redisForTests } from './net/redis-for-tests';
export { startTcpFaultProxy, type TcpFaultProxy, type TcpProxyMode } from './net/tcp-proxy';
export * from './proxmox/index';

export { createGroq, type GroqProvider, type GroqSettings, toGroqError } from './groq-provider';

export { toAnthropicError } from './anthropic-error';
export {
  type AnthropicBodyOptions,
  type AnthropicContentBlock,
  type AnthropicMessagesBody,
  type AnthropicUsage,
  fromAnthropicContent,
  fromAnthropicStopReason,
  fromAnthropicUsage,
  toAnthropicBody,
  toAnthropicMessages,
  toAnthropicToolChoice,
} from './anthropic-messages';
export { type AnthropicProvider, anthropicCapabilities, createAnthropic } from './anthropic-provider';
export { type AnthropicSettings, defaultAnthropicMaxTokens } from './anthropic-settings';

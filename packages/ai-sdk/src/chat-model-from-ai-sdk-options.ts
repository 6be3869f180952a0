import type { SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { ChatModelCapabilities, PricingTable } from '@ballast/core';
import { z } from 'zod';

const capabilitiesSchema = z
  .object({
    tools: z.boolean(),
    vision: z.boolean(),
    jsonMode: z.boolean(),
    jsonSchema: z.boolean(),
    streaming: z.boolean(),
  })
  .partial();

/** Zod schema of {@link ChatModelFromAiSdkOptions}. */
export const chatModelFromAiSdkOptionsSchema = z.object({
  /**
   * Ballast provider name (pricing, metrics, routes). Default: the AI SDK provider id up to its
   * first dot, so `openai.chat` is `openai` (and a Ballast model exposed as `ballast.openai` is `openai`).
   */
  provider: z.string().min(1).optional(),
  /** Model id on results and in pricing; default the AI SDK model's `modelId`. */
  modelId: z.string().min(1).optional(),
  /** What the model can do (a balancer routes by it). Default: everything. */
  capabilities: capabilitiesSchema.optional(),
  /** Prices used for `costUsd`; default Ballast's `defaultPricing`. */
  pricing: z.custom<PricingTable>((value) => typeof value === 'object' && value !== null).optional(),
  /** AI SDK `providerOptions` sent with every call (for example `{ openai: { user: 'ballast' } }`). */
  providerOptions: z
    .custom<SharedV3ProviderOptions>((value) => typeof value === 'object' && value !== null)
    .optional(),
  /** Credentials to remove from error messages, bodies and causes (the AI SDK model holds its own key). */
  secrets: z.array(z.string()).optional(),
});

/** Options of `createChatModelFromAiSdk`. Every field is optional. */
export type ChatModelFromAiSdkOptions = Omit<
  z.infer<typeof chatModelFromAiSdkOptionsSchema>,
  'capabilities'
> & {
  capabilities?: Partial<ChatModelCapabilities>;
};

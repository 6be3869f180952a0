'use client';
import { useChat } from '@ai-sdk/react';
import { themeVariables } from '@ballast/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { type FormEvent, useState } from 'react';

/** What the route handler attaches to each answer: Ballast's route. */
interface RouteMetadata {
  route?: { target: string; attempts: Array<{ target: string; outcome: string }> };
}

const providers = ['openai', 'anthropic', 'ollama'] as const;

function textOf(message: UIMessage): string {
  return message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The AI SDK's `useChat` over `/api/chat` (a Ballast balancer), with the demo's failure switch. */
export function Chat() {
  const { messages, sendMessage, status, error } = useChat({
    transport: new DefaultChatTransport({ api: '/api/chat' }),
  });
  const [input, setInput] = useState('');
  const [down, setDown] = useState<Record<string, boolean>>({});
  const busy = status === 'submitted' || status === 'streaming';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!input.trim() || busy) return;
    void sendMessage({ text: input });
    setInput('');
  };
  const toggle = async (provider: string) => {
    const next = !down[provider];
    const response = await fetch('/api/demo/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider, down: next }),
    });
    if (response.ok) setDown((current) => ({ ...current, [provider]: next }));
  };
  return (
    <section aria-label="Chat" style={{ display: 'grid', gap: 12 }}>
      <fieldset
        style={{
          display: 'flex',
          gap: 8,
          alignItems: 'center',
          border: `1px solid ${themeVariables.border}`,
          borderRadius: 8,
        }}
      >
        <legend>Failure switch (fake providers)</legend>
        {providers.map((provider) => (
          <button
            key={provider}
            type="button"
            aria-pressed={down[provider] === true}
            onClick={() => void toggle(provider)}
          >
            {down[provider] ? `Bring ${provider} back` : `Take ${provider} down`}
          </button>
        ))}
      </fieldset>
      <ol aria-label="Messages" style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 8 }}>
        {messages.map((message) => {
          const route = (message.metadata as RouteMetadata | undefined)?.route;
          return (
            <li
              key={message.id}
              data-role={message.role}
              style={{ padding: 8, borderRadius: 8, background: themeVariables.subtle }}
            >
              <strong>{message.role === 'user' ? 'You' : 'Assistant'}: </strong>
              <span data-testid="message-text">{textOf(message)}</span>
              {route ? (
                <div data-testid="route" style={{ color: themeVariables.muted, fontSize: 13 }}>
                  served by <span data-testid="served-by">{route.target}</span>
                  {route.attempts.length > 1
                    ? ` after ${route.attempts.map((attempt) => `${attempt.target}: ${attempt.outcome}`).join(', ')}`
                    : ''}
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {error ? (
        <p role="alert" style={{ color: themeVariables.danger }}>
          The chat failed: {error.message}
        </p>
      ) : null}
      <form onSubmit={submit} style={{ display: 'flex', gap: 8 }}>
        <label htmlFor="chat-input" style={{ position: 'absolute', left: -9999 }}>
          Message
        </label>
        <input
          id="chat-input"
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder="Ask something"
          style={{ flex: 1, font: 'inherit', padding: 6 }}
        />
        <button type="submit" disabled={busy}>
          Send
        </button>
        <span role="status" aria-live="polite">
          {busy ? 'Streaming…' : ''}
        </span>
      </form>
    </section>
  );
}

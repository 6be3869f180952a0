import { type FormEvent, useId, useState } from 'react';
import type { BallastClient } from '../client/ballast-client';
import { useAviChat } from '../hooks/use-avi-chat';
import type { AviChatMessage, AviPlanState } from '../store/avi-chat-store';
import { buttonStyle, mutedStyle, primaryButtonStyle, rootStyle, themeVariables } from './theme';

/** Props of {@link AviChat}. */
export interface AviChatProps {
  conversationId?: string;
  title?: string;
  className?: string;
  client?: BallastClient;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * "Chat with your load balancer": the Avi agent's answer streams in, every tool it called is
 * listed with its arguments and result, and every write it proposes is shown as a plan (method,
 * path, diff, risk) that runs only when the user presses Confirm.
 *
 * @example
 * ```tsx
 * <AviChat className="ops-chat" />
 * ```
 */
export function AviChat({ conversationId, title = 'Avi', className, client }: AviChatProps) {
  const chat = useAviChat({
    ...(conversationId === undefined ? {} : { conversationId }),
    ...(client ? { client } : {}),
  });
  const [input, setInput] = useState('');
  const inputId = useId();
  const busy = chat.status === 'streaming';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const message = input.trim();
    if (!message || busy) return;
    setInput('');
    void chat.send(message);
  };
  return (
    <section className={className} aria-label={title} style={rootStyle}>
      <h2 style={{ margin: 0, fontSize: 20 }}>{title}</h2>
      <ol
        role="log"
        aria-live="polite"
        aria-label="Conversation"
        style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 8 }}
      >
        {chat.messages.map((message) => (
          <li key={message.id} data-role={message.role}>
            <MessageView message={message} onConfirm={chat.confirm} onDismiss={chat.dismiss} />
          </li>
        ))}
      </ol>
      {chat.error ? (
        <p role="alert" style={{ margin: 0, color: themeVariables.danger }}>
          The chat failed: {chat.error.message}
        </p>
      ) : null}
      <form onSubmit={submit} style={{ display: 'flex', gap: 8 }}>
        <label htmlFor={inputId} style={{ position: 'absolute', left: -9999 }}>
          Message to Avi
        </label>
        <input
          id={inputId}
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder="Ask about virtual services, pools, service engines"
          style={{
            flex: 1,
            font: 'inherit',
            padding: 6,
            color: themeVariables.fg,
            background: themeVariables.bg,
            border: `1px solid ${themeVariables.border}`,
            borderRadius: themeVariables.radius,
          }}
        />
        {busy ? (
          <button type="button" style={buttonStyle} onClick={chat.stop}>
            Stop
          </button>
        ) : (
          <button type="submit" style={primaryButtonStyle}>
            Send
          </button>
        )}
      </form>
    </section>
  );
}

function MessageView({
  message,
  onConfirm,
  onDismiss,
}: {
  message: AviChatMessage;
  onConfirm: (token: string) => Promise<void>;
  onDismiss: (token: string) => void;
}) {
  return (
    <article
      aria-label={message.role === 'user' ? 'You' : 'Avi'}
      style={{
        padding: 8,
        borderRadius: themeVariables.radius,
        background: message.role === 'user' ? 'transparent' : themeVariables.subtle,
        display: 'grid',
        gap: 6,
      }}
    >
      <strong>{message.role === 'user' ? 'You' : 'Avi'}</strong>
      {message.toolCalls.map((call) => (
        <details key={call.id} data-testid="tool-call">
          <summary>
            Tool <code>{call.name}</code> {call.result === undefined ? '(running…)' : ''}
          </summary>
          <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>{json(call.arguments)}</pre>
          {call.result === undefined ? null : (
            <pre
              style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', maxHeight: 200, overflow: 'auto' }}
            >
              {json(call.result)}
            </pre>
          )}
        </details>
      ))}
      {message.plans.map((plan) => (
        <PlanView key={plan.token} plan={plan} onConfirm={onConfirm} onDismiss={onDismiss} />
      ))}
      {message.text ? <p style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{message.text}</p> : null}
      {message.error ? (
        <p role="alert" style={{ margin: 0, color: themeVariables.danger }}>
          {message.error.message}
        </p>
      ) : null}
    </article>
  );
}

function PlanView({
  plan,
  onConfirm,
  onDismiss,
}: {
  plan: AviPlanState;
  onConfirm: (token: string) => Promise<void>;
  onDismiss: (token: string) => void;
}) {
  const diff = Object.entries(plan.plan.diff ?? {});
  return (
    <fieldset
      aria-label={`Planned change: ${plan.plan.summary}`}
      style={{
        border: `2px solid ${themeVariables.accent}`,
        borderRadius: themeVariables.radius,
        padding: 8,
        display: 'grid',
        gap: 6,
      }}
    >
      <strong>{plan.plan.summary}</strong>
      <span style={mutedStyle}>
        <code>
          {plan.plan.method} {plan.plan.path}
        </code>{' '}
        · risk {plan.plan.risk}
      </span>
      {diff.length > 0 ? (
        <ul style={{ margin: 0 }}>
          {diff.map(([field, change]) => (
            <li key={field}>
              <code>{field}</code>: {JSON.stringify(change.from)} → {JSON.stringify(change.to)}
            </li>
          ))}
        </ul>
      ) : null}
      {plan.status === 'pending' ? (
        <div style={{ display: 'flex', gap: 8 }}>
          <button type="button" style={primaryButtonStyle} onClick={() => void onConfirm(plan.token)}>
            Confirm change
          </button>
          <button type="button" style={buttonStyle} onClick={() => onDismiss(plan.token)}>
            Dismiss
          </button>
        </div>
      ) : (
        <span
          role="status"
          style={{ color: plan.status === 'failed' ? themeVariables.danger : themeVariables.muted }}
        >
          {plan.status === 'confirming'
            ? 'Applying…'
            : plan.status === 'executed'
              ? 'Applied on the controller.'
              : plan.status === 'dismissed'
                ? 'Dismissed: nothing was changed.'
                : `Not applied: ${plan.error ?? 'the controller refused'}`}
        </span>
      )}
    </fieldset>
  );
}

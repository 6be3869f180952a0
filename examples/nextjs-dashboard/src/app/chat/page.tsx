import { Chat } from './chat';

export const metadata = { title: 'Chat · Ballast' };

export default function ChatPage() {
  return (
    <>
      <h1 style={{ margin: 0 }}>Chat</h1>
      <p style={{ margin: 0 }}>
        The AI SDK’s <code>useChat</code> and <code>streamText</code> over{' '}
        <code>createBallastLanguageModel(balancer)</code>: every turn is routed by Ballast, which fails over
        when a provider is down. Take one down with the switch and keep chatting.
      </p>
      <Chat />
    </>
  );
}

import Link from 'next/link';

export default function Home() {
  return (
    <>
      <h1 style={{ margin: 0 }}>Ballast on Next.js</h1>
      <p>
        The API routes of this app are <code>@ballast/server</code>’s handlers, mounted in App Router route
        handlers; the pages use <code>@ballast/react</code>.
      </p>
      <ul>
        <li>
          <Link href="/monitoring">Monitoring</Link>: the live LLM dashboard while a load generator runs
          through the gateway.
        </li>
        <li>
          <Link href="/migrations">Migrations</Link>: advice for the Proxmox cluster, applied after a dry run
          and a confirm.
        </li>
        <li>
          <Link href="/autoscaling">Autoscaling</Link>: the replayed trace, HPA against Ballast, and the live
          recommendation.
        </li>
        <li>
          <Link href="/chat">Chat</Link>: the AI SDK’s <code>useChat</code> over the Ballast balancer.
        </li>
        <li>
          <Link href="/avi">Avi</Link>: chat with the load balancer.
        </li>
      </ul>
    </>
  );
}

import { Avi } from './avi';

export const metadata = { title: 'Avi · Ballast' };

export default function AviPage() {
  return (
    <>
      <h1 style={{ margin: 0 }}>Avi</h1>
      <p style={{ margin: 0 }}>
        The <code>@ballast/avi</code> agent behind <code>POST /api/avi/chat</code>: its tool calls stream in
        as it works, and a write is only a plan until you press <strong>Confirm change</strong> (
        <code>POST /api/avi/confirm</code>). Try “why is pool-shop-web degraded?”.
      </p>
      <Avi />
    </>
  );
}

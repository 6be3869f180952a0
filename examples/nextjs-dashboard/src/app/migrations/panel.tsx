'use client';
import { MigrationAdvicePanel } from '@ballast/react';

export function Panel() {
  return <MigrationAdvicePanel period="1h" title="Migration advice (Proxmox)" />;
}

'use client';
import { AviChat } from '@ballast/react';

export function Avi() {
  return <AviChat title="Chat with the load balancer" />;
}

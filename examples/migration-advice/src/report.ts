import type { ClusterSnapshot, PredictedIssue } from '@ballast/core';

const gib = 1024 ** 3;

/** A 20-character bar for a fraction in [0, 1]; over 1 fills the bar. */
export function bar(fraction: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)
    .toString()
    .padStart(3)} %`;
}

/**
 * The node table: status, CPU now and memory bars, guests; with `plannerCpu`, a labelled column of
 * the CPU the planner balances on (now blended with the recent trend), so each figure says which it is.
 */
export function nodeTable(snapshot: ClusterSnapshot, plannerCpu?: ReadonlyMap<string, number>): string {
  const width = Math.max(4, ...snapshot.nodes.map((node) => node.name.length));
  const extra = plannerCpu === undefined ? '' : '  CPU planner';
  const header = `  ${'node'.padEnd(width)}  ${'state'.padEnd(11)}  ${'CPU now'.padEnd(27)}  ${'memory'.padEnd(36)}  guests${extra}`;
  const rows = snapshot.nodes.map((node) => {
    const guests = snapshot.guests.filter(
      (guest) => guest.node === node.name && guest.status === 'running',
    ).length;
    const state = node.status !== 'online' ? node.status : node.maintenance ? 'maintenance' : 'online';
    if (node.status !== 'online') return `  ${node.name.padEnd(width)}  ${state.padEnd(11)}`;
    const cpu = node.cpu.cores > 0 ? node.cpu.usageCores / node.cpu.cores : 0;
    const memory = node.memory.totalBytes > 0 ? node.memory.usedBytes / node.memory.totalBytes : 0;
    const memoryText = `${(node.memory.usedBytes / gib).toFixed(0)}/${(node.memory.totalBytes / gib).toFixed(0)} GiB`;
    const planned = plannerCpu?.get(node.name);
    const plannerText =
      plannerCpu === undefined ? '' : `  ${planned === undefined ? '    -' : percent(planned)}`;
    return `  ${node.name.padEnd(width)}  ${state.padEnd(11)}  ${bar(cpu)} ${percent(cpu)}  ${bar(memory)} ${percent(memory)} ${memoryText.padStart(10)}  ${String(guests).padStart(6)}${plannerText}`;
  });
  return [header, ...rows].join('\n');
}

export function describeIssue(issue: PredictedIssue): string {
  const when = issue.expectedAt
    ? new Date(issue.expectedAt).toISOString().slice(0, 16).replace('T', ' ')
    : 'now';
  return `${issue.node} ${issue.metric}: ${issue.severity ?? 'notice'}, ${issue.description} (by ${when} UTC, confidence ${Math.round(issue.confidence * 100)} %)`;
}

/** Wraps text at `width` columns with an indent, for reasoning paragraphs. */
export function wrap(text: string, indent: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width - indent.length) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.map((entry) => indent + entry).join('\n');
}

import type { ClusterSimulator, SimulatedGuest, SimulatedNode } from './cluster-simulator';

/** `0`/`1` as Perl's JSON encoder writes booleans. */
export const bit = (value: boolean): 0 | 1 => (value ? 1 : 0);

const sid = (guest: SimulatedGuest) => `${guest.kind === 'lxc' ? 'ct' : 'vm'}:${guest.vmid}`;

function joinTags(cluster: ClusterSimulator, guest: SimulatedGuest): string {
  // PVE 9 always writes `a;b`; PVE 8 configs still carry the older separators (`,` and space).
  if (cluster.pveVersion === 9) return guest.tags.join(';');
  const separators = [';', ',', ' '];
  return guest.tags.join(separators[guest.vmid % separators.length]);
}

function nodeUptime(cluster: ClusterSimulator, node: SimulatedNode): number {
  return 30 * 86400 + node.nodeid * 3607 + Math.floor((cluster.now() / 1000) % 86400);
}

/** `GET /cluster/resources[?type=vm|storage|node|sdn]` rows in the wire format of the simulated version. */
export function renderClusterResources(cluster: ClusterSimulator, type?: string): unknown[] {
  const nowSec = Math.floor(cluster.now() / 1000);
  const haInUse = cluster.guests.some((guest) => guest.haManaged);
  const rows: Array<Record<string, unknown>> = [];

  if (type === undefined || type === 'vm') {
    for (const guest of cluster.guests) {
      const node = cluster.node(guest.node);
      const usage = cluster.guestUsageAt(guest.vmid, nowSec);
      const running = usage !== undefined;
      const uptime = running ? nowSec - guest.startedSec : 0;
      const maxdisk = guest.disks.reduce((sum, disk) => sum + disk.sizeBytes, 0);
      const row: Record<string, unknown> = {
        id: `${guest.kind}/${guest.vmid}`,
        type: guest.kind,
        vmid: guest.vmid,
        node: guest.node,
        name: guest.name,
        status: node?.online === false ? 'unknown' : guest.status,
        template: bit(guest.template),
        cpu: usage?.cpu ?? 0,
        maxcpu: guest.maxcpu,
        mem: usage?.mem ?? 0,
        maxmem: guest.maxmem,
        disk: guest.kind === 'lxc' && running ? Math.round(maxdisk * 0.35) : 0,
        maxdisk,
        netin: running ? Math.round((usage?.netin ?? 0) * uptime * 0.9) : 0,
        netout: running ? Math.round((usage?.netout ?? 0) * uptime * 0.9) : 0,
        diskread: running ? Math.round((usage?.diskread ?? 0) * uptime * 0.9) : 0,
        diskwrite: running ? Math.round((usage?.diskwrite ?? 0) * uptime * 0.9) : 0,
        uptime,
      };
      if (cluster.pveVersion === 9 && guest.kind === 'qemu')
        row.memhost = Math.round((usage?.mem ?? 0) * 1.05);
      if (guest.tags.length > 0) row.tags = joinTags(cluster, guest);
      if (guest.lock !== undefined) row.lock = guest.lock;
      if (guest.pool !== undefined) row.pool = guest.pool;
      if (guest.haManaged)
        row.hastate =
          guest.lock === 'migrate' ? 'migrate' : guest.status === 'running' ? 'started' : 'stopped';
      rows.push(row);
    }
  }

  if (type === undefined || type === 'node') {
    for (const node of cluster.nodes) {
      if (!node.online) {
        rows.push({ id: `node/${node.name}`, type: 'node', node: node.name, status: 'offline', level: '' });
        continue;
      }
      const usage = cluster.nodeUsageAt(node.name, nowSec);
      const row: Record<string, unknown> = {
        id: `node/${node.name}`,
        type: 'node',
        node: node.name,
        status: 'online',
        cpu: usage?.cpu ?? 0,
        maxcpu: node.maxcpu,
        mem: Math.round(usage?.memused ?? 0),
        maxmem: node.maxmem,
        disk: node.rootUsed,
        maxdisk: node.maxdisk,
        uptime: nodeUptime(cluster, node),
        level: '',
        'cgroup-mode': 2,
      };
      if (haInUse) row.hastate = node.maintenance ? 'maintenance' : 'online';
      if (cluster.pveVersion === 9) row['host-arch'] = 'x86_64';
      rows.push(row);
    }
  }

  if (type === undefined || type === 'storage') {
    for (const storage of cluster.storages) {
      for (const nodeName of storage.nodes) {
        const node = cluster.node(nodeName);
        rows.push({
          id: `storage/${nodeName}/${storage.id}`,
          type: 'storage',
          storage: storage.id,
          node: nodeName,
          plugintype: storage.plugintype,
          status: node?.online === false ? 'unknown' : 'available',
          shared: bit(storage.shared),
          content: storage.content.join(','),
          disk: cluster.storageUsedBytes(storage.id, nodeName),
          maxdisk: storage.totalBytes,
        });
      }
    }
  }

  if (type === undefined || type === 'sdn') {
    for (const node of cluster.nodes) {
      rows.push(
        cluster.pveVersion === 9
          ? {
              id: `network/${node.name}/zone/localnetwork`,
              type: 'network',
              network: 'localnetwork',
              'network-type': 'zone',
              'zone-type': 'simple',
              node: node.name,
              status: 'ok',
            }
          : {
              id: `sdn/${node.name}/localnetwork`,
              type: 'sdn',
              sdn: 'localnetwork',
              node: node.name,
              status: 'ok',
            },
      );
    }
  }

  if (type === undefined) {
    const pools = [
      ...new Set(cluster.guests.map((guest) => guest.pool).filter((pool) => pool !== undefined)),
    ];
    for (const pool of pools) rows.push({ id: `/pool/${pool}`, type: 'pool', pool });
  }
  return rows;
}

/** `GET /cluster/status`. */
export function renderClusterStatus(cluster: ClusterSimulator): unknown[] {
  return [
    {
      type: 'cluster',
      id: 'cluster',
      name: cluster.clusterName,
      nodes: cluster.nodes.length,
      quorate: bit(cluster.nodes.filter((node) => node.online).length * 2 > cluster.nodes.length),
      version: 7,
    },
    ...cluster.nodes.map((node, index) => ({
      type: 'node',
      id: `node/${node.name}`,
      name: node.name,
      nodeid: node.nodeid,
      ip: node.ip,
      local: bit(index === 0),
      online: bit(node.online),
      level: '',
    })),
  ];
}

/** `GET /cluster/ha/status/current`. */
export function renderHaStatus(cluster: ClusterSimulator): unknown[] {
  const ha = cluster.guests.filter((guest) => guest.haManaged);
  if (ha.length === 0)
    return [{ id: 'quorum', type: 'quorum', node: cluster.nodes[0]?.name, status: 'OK', quorate: 1 }];
  const nowSec = Math.floor(cluster.now() / 1000);
  const master = cluster.nodes.find((node) => node.online)?.name ?? '';
  return [
    { id: 'quorum', type: 'quorum', node: master, status: 'OK', quorate: 1 },
    {
      id: 'master',
      type: 'master',
      node: master,
      status: `${master} (active, ${new Date(cluster.now()).toUTCString()})`,
      timestamp: nowSec,
    },
    ...cluster.nodes.map((node) => ({
      id: `lrm:${node.name}`,
      type: 'lrm',
      node: node.name,
      status: `${node.name} (${!node.online ? 'old timestamp - dead?' : node.maintenance ? 'maintenance mode' : 'active'}, ${new Date(cluster.now()).toUTCString()})`,
      timestamp: nowSec,
    })),
    ...ha.map((guest) => {
      const state = guest.lock === 'migrate' ? 'migrate' : guest.status === 'running' ? 'started' : 'stopped';
      return {
        id: `service:${sid(guest)}`,
        type: 'service',
        sid: sid(guest),
        node: guest.node,
        state,
        crm_state: state,
        request_state: guest.status === 'running' ? 'started' : 'stopped',
        status: `${sid(guest)} (${guest.node}, ${state})`,
        max_relocate: 1,
        max_restart: 1,
      };
    }),
  ];
}

/** `GET /cluster/ha/resources`. */
export function renderHaResources(cluster: ClusterSimulator): unknown[] {
  return cluster.guests
    .filter((guest) => guest.haManaged)
    .map((guest) => {
      const row: Record<string, unknown> = {
        sid: sid(guest),
        type: guest.kind === 'lxc' ? 'ct' : 'vm',
        state: guest.status === 'running' ? 'started' : 'stopped',
        max_relocate: 1,
        max_restart: 1,
        digest: '4f1d6b0e6c1e',
      };
      if (cluster.pveVersion === 8 && guest.haGroup !== undefined) row.group = guest.haGroup;
      if (cluster.pveVersion === 9) row.failback = 1;
      return row;
    });
}

/** `GET /cluster/ha/rules` (PVE 9). */
export function renderHaRules(cluster: ClusterSimulator): unknown[] {
  return cluster.haRules.map((rule, index) => {
    const row: Record<string, unknown> = {
      rule: rule.rule,
      type: rule.type,
      resources: rule.resources,
      order: index + 1,
      digest: 'a1b2c3',
    };
    if (rule.nodes !== undefined) row.nodes = rule.nodes;
    if (rule.strict !== undefined) row.strict = bit(rule.strict);
    if (rule.affinity !== undefined) row.affinity = rule.affinity;
    if (rule.disable !== undefined) row.disable = bit(rule.disable);
    return row;
  });
}

/** `GET /cluster/ha/groups` (PVE 8). */
export function renderHaGroups(cluster: ClusterSimulator): unknown[] {
  return cluster.haGroups.map((group) => ({
    group: group.group,
    type: 'group',
    nodes: group.nodes,
    restricted: bit(group.restricted),
    nofailback: bit(group.nofailback),
    digest: 'd4e5f6',
  }));
}

/** `GET /nodes/{node}/status`. */
export function renderNodeStatus(cluster: ClusterSimulator, node: SimulatedNode): unknown {
  const usage = cluster.nodeUsageAt(node.name, Math.floor(cluster.now() / 1000));
  const load = usage?.loadavg ?? 0;
  return {
    cpu: usage?.cpu ?? 0,
    wait: usage?.iowait ?? 0,
    idle: 0,
    uptime: nodeUptime(cluster, node),
    loadavg: [load.toFixed(2), (load * 0.95).toFixed(2), (load * 0.9).toFixed(2)],
    memory: {
      total: node.maxmem,
      used: Math.round(usage?.memused ?? 0),
      free: node.maxmem - Math.round(usage?.memused ?? 0),
      available: node.maxmem - Math.round(usage?.memused ?? 0),
    },
    swap: {
      total: 8 * 2 ** 30,
      used: Math.round(usage?.swapused ?? 0),
      free: 8 * 2 ** 30 - Math.round(usage?.swapused ?? 0),
    },
    rootfs: {
      total: node.maxdisk,
      used: node.rootUsed,
      free: node.maxdisk - node.rootUsed,
      avail: node.maxdisk - node.rootUsed,
    },
    cpuinfo: {
      cpus: node.maxcpu,
      cores: node.maxcpu / 2,
      sockets: 1,
      mhz: '3400.000',
      model: 'Simulated CPU',
    },
    pveversion:
      cluster.pveVersion === 9 ? 'pve-manager/9.0.10/deadbeef' : 'pve-manager/8.4.1/2a5fa54a8503f96d',
    kversion: 'Linux 6.8.12-simulated',
    ksm: { shared: 0 },
  };
}

/** `GET /nodes/{node}/storage`. */
/**
 * `GET /nodes/{node}/storage/{storage}/content`: the guest volumes on one storage of one node. A
 * shared storage lists every guest's volumes; a local one only those of guests on that node.
 * `undefined` when the storage is not on that node.
 */
export function renderStorageContent(
  cluster: ClusterSimulator,
  node: SimulatedNode,
  storageId: string,
): unknown[] | undefined {
  const storage = cluster.storages.find((entry) => entry.id === storageId && entry.nodes.includes(node.name));
  if (storage === undefined) return undefined;
  return cluster.guests.flatMap((guest) =>
    guest.disks
      .filter((disk) => disk.storage === storageId && (storage.shared || guest.node === node.name))
      .map((disk) => ({
        volid: disk.volid,
        vmid: guest.vmid,
        size: disk.sizeBytes,
        format: guest.kind === 'lxc' ? 'subvol' : 'raw',
        content: guest.kind === 'lxc' ? 'rootdir' : 'images',
        ctime: Math.floor(cluster.now() / 1000) - 86_400 * 30,
      })),
  );
}

export function renderNodeStorage(cluster: ClusterSimulator, node: SimulatedNode): unknown[] {
  return cluster.storages
    .filter((storage) => storage.nodes.includes(node.name))
    .map((storage) => {
      const used = cluster.storageUsedBytes(storage.id, node.name);
      return {
        storage: storage.id,
        type: storage.plugintype,
        content: storage.content.join(','),
        shared: bit(storage.shared),
        active: 1,
        enabled: 1,
        total: storage.totalBytes,
        used,
        avail: storage.totalBytes - used,
        used_fraction: used / storage.totalBytes,
      };
    });
}

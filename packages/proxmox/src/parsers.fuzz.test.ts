import { CollectorError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createProxmoxClient } from './proxmox-client';
import { rrdSeries, trimRows } from './rrd-series';
import { parseUpid } from './upid';
import { clusterResourceSchema, rrdRowSchema, taskStatusSchema } from './wire-schemas';

// Fuzzing of everything that reads Proxmox API text (issue 10): the response envelope, the wire
// schemas, RRD rows and UPIDs. Bounded runs for CI; bench/parsers-fuzz.bench.ts runs longer.

const wireValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('1', '0', '', 'NaN', '-1', '1e999', null, true),
);
const wireRow = fc.dictionary(
  fc.constantFrom(
    'id',
    'type',
    'node',
    'vmid',
    'cpu',
    'maxcpu',
    'mem',
    'maxmem',
    'status',
    'time',
    'disk',
    'maxdisk',
    'netin',
    'template',
  ),
  wireValue,
  { maxKeys: 14 },
);

describe('Proxmox parsers under fuzzing', () => {
  it('wire schemas accept or reject any row without throwing', () => {
    fc.assert(
      fc.property(wireRow, (row) => {
        for (const schema of [clusterResourceSchema, rrdRowSchema, taskStatusSchema]) {
          const parsed = schema.safeParse(row);
          expect(typeof parsed.success).toBe('boolean');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('RRD rows that parse become series with finite values only, sorted by time', () => {
    fc.assert(
      fc.property(fc.array(wireRow, { maxLength: 200 }), (rows) => {
        const parsed = rows.flatMap((row) => {
          const result = rrdRowSchema.safeParse(row);
          return result.success ? [result.data] : [];
        });
        const series = rrdSeries(trimRows(parsed, 3600), (row) => row.cpu);
        expect(series.values.every(Number.isFinite)).toBe(true);
        expect(series.timestamps).toEqual([...series.timestamps].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('parseUpid returns a UPID or undefined for any text', () => {
    const upidLike = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc
        .array(fc.constantFrom('UPID', ':', 'pve1', '0000B001', 'qmigrate', '101', 'root@pam'), {
          maxLength: 30,
        })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(upidLike, (text) => {
        const upid = parseUpid(text);
        if (upid !== undefined) expect(Number.isFinite(upid.starttime)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the client turns any response body into data or a CollectorError', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json().map((json) => `{"data":${json}}`),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(200, 400, 404, 500, 501, 503), async (text, status) => {
        const client = createProxmoxClient({
          baseUrl: 'http://127.0.0.1:8006',
          tokenId: 'ballast@pve!fuzz',
          tokenSecret: 'fuzz-secret-1234',
          retries: 0,
          fetch: async () => ({
            status,
            statusText: '',
            ok: status < 400,
            headers: new Headers(),
            text: async () => text,
          }),
        });
        try {
          await client.request('GET', '/cluster/resources', z.array(clusterResourceSchema));
        } catch (error) {
          expect(CollectorError.isInstance(error)).toBe(true);
          expect((error as Error).message).not.toContain('fuzz-secret-1234');
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { z } from 'zod';
import { json, readJson } from '../http/json';
import type { Route } from '../http/router';
import type { SettingsStore } from './settings-store';

// The parsed body as it is, own keys and all: `z.record` drops a `"__proto__"` key silently, and
// the settings store must see it to refuse it as unknown.
const settingsPatchSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object of settings',
);

/** `GET /api/config` (secrets masked) and `PUT /api/config` (admin; partial, validated). */
export function configRoutes(settings: SettingsStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/config',
      summary: 'Settings a UI toggles (AI on/off, provider, model, period, thresholds); secrets masked',
      handler: () => json({ config: settings.read(), secrets: settings.secretsSet() }),
    },
    {
      method: 'PUT',
      path: '/api/config',
      summary: 'Change settings (admin); validated, every problem listed; secrets write-only',
      access: 'admin',
      handler: async (request) => {
        const patch = await readJson(request, settingsPatchSchema, { maxBytes: 65_536 });
        return json({ config: settings.update(patch), secrets: settings.secretsSet() });
      },
    },
  ];
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { configWarnings, loadBallastConfig, redactConfig } from './config';

const dir = mkdtempSync(join(tmpdir(), 'ballast-config-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const catchError = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadBallastConfig', () => {
  it('applies defaults, then the file, then BALLAST_* env, then overrides', () => {
    const path = file('config.json', {
      proxmox_host: 'pve1.lan',
      cpu_threshold: 55,
      mem_threshold: 75,
      ai_enabled: true,
      ai_provider: 'ollama',
      ai_model: 'qwen2.5:7b',
      ui_theme: 'dark', // a ProxBalance key Ballast does not use
    });
    const config = loadBallastConfig({
      file: path,
      env: {
        BALLAST_CPU_THRESHOLD: '65',
        BALLAST_PROXMOX_VERIFY_SSL: 'false',
        BALLAST_PROXMOX_ALLOW_INSECURE_TLS: 'true',
        BALLAST_AI_ANALYSIS_PERIOD: '7d',
      },
      overrides: { mem_threshold: 80 },
    });
    expect(config).toMatchObject({
      proxmox_host: 'pve1.lan',
      proxmox_port: 8006,
      cpu_threshold: 65,
      mem_threshold: 80,
      proxmox_verify_ssl: false,
      ai_analysis_period: '7d',
      collection_interval_minutes: 60,
      ai_model: 'qwen2.5:7b',
    });
    expect(config).not.toHaveProperty('ui_theme');
  });

  it('names each bad key and where it came from', () => {
    const error = catchError(() =>
      loadBallastConfig({
        file: file('bad.json', { proxmox_port: 70000, ai_analysis_period: '2d' }),
        env: { BALLAST_CPU_THRESHOLD: 'high' },
      }),
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'ai_analysis_period',
      'cpu_threshold',
      'proxmox_port',
    ]);
    expect(error.message).toContain('cpu_threshold (from env BALLAST_CPU_THRESHOLD)');
    expect(error.message).toContain('proxmox_port (from file');
  });

  it('requires a model and a key when AI is enabled, without echoing secrets', () => {
    const error = catchError(() =>
      loadBallastConfig({ env: { BALLAST_AI_ENABLED: 'true', BALLAST_AI_PROVIDER: 'openai' } }),
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['ai_api_key', 'ai_model']);
    expect(error.message).toContain('no default model');

    const secret = 'sk-proj-SUPERSECRETVALUE1234567890';
    const tokenError = catchError(() =>
      loadBallastConfig({
        overrides: {
          ai_api_key: secret,
          proxmox_api_token_secret: 'pve-secret-uuid-1234',
          ai_enabled: 'maybe',
        },
      }),
    );
    expect(tokenError.message).not.toContain(secret);
    expect(tokenError.message).not.toContain('pve-secret-uuid-1234');
    expect(tokenError.issues.map((issue) => issue.path).sort()).toEqual([
      'ai_enabled',
      'proxmox_api_token_id',
    ]);
  });

  it('reports a broken JSON file by position, never quoting its text', () => {
    const path = file(
      'broken.json',
      '{\n  "ai_api_key": "sk-proj-SUPERSECRETVALUE1234567890"\n  "cpu_threshold": 60\n}',
    );
    const error = catchError(() => loadBallastConfig({ file: path }));
    expect(error.message).toMatch(/not valid JSON at line 3/);
    expect(error.message).not.toContain('SUPERSECRET');
    expect(catchError(() => loadBallastConfig({ file: join(dir, 'missing.json') })).message).toContain(
      'ENOENT',
    );
  });

  it('redactConfig hides secrets', () => {
    const config = loadBallastConfig({
      overrides: {
        ai_enabled: true,
        ai_provider: 'openai',
        ai_model: 'gpt-4o-mini',
        ai_api_key: 'sk-proj-abcdefghijklmnopqrstuvwxyz',
        proxmox_api_token_id: 'root@pam!ballast',
        proxmox_api_token_secret: '11111111-2222-3333-4444-555555555555',
      },
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('abcdefghij');
    expect(printed).not.toContain('11111111');
    expect(printed).toContain('root@pam!ballast');
    expect(config.ai_api_key).toBe('sk-proj-abcdefghijklmnopqrstuvwxyz');
  });
});

describe('loadBallastConfig refuses silent insecurity', () => {
  it.each([
    ['file', { proxmox_verify_ssl: false }],
    ['env', undefined],
  ])('refuses proxmox_verify_ssl off without the explicit opt-in (%s)', (_where, content) => {
    const error = catchError(() =>
      content === undefined
        ? loadBallastConfig({ env: { BALLAST_PROXMOX_VERIFY_SSL: 'off' } })
        : loadBallastConfig({ file: file('insecure.json', content) }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['proxmox_verify_ssl']);
    expect(error.message).toMatch(/proxmox_fingerprint instead, or set proxmox_allow_insecure_tls: true/);
  });

  it('accepts verification off with a pinned certificate, or with the opt-in and a warning', () => {
    const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
    const pinned = loadBallastConfig({
      overrides: { proxmox_verify_ssl: false, proxmox_fingerprint: fingerprint },
    });
    expect(configWarnings(pinned)).toEqual([]);
    const insecure = loadBallastConfig({
      env: { BALLAST_PROXMOX_VERIFY_SSL: 'off', BALLAST_PROXMOX_ALLOW_INSECURE_TLS: 'yes' },
    });
    expect(configWarnings(insecure)).toEqual([
      expect.stringMatching(/TLS verification of the Proxmox API is OFF/),
    ]);
    expect(configWarnings(loadBallastConfig())).toEqual([]);
  });

  it.each([
    ['pve1.lan:8007', 'must not carry a port: set proxmox_port instead'],
    ['[fd00::1]:8006', 'must not carry a port: set proxmox_port instead'],
    ['https://pve1.lan', 'must be a host name without a scheme'],
    ['pve1.lan/api2/json', 'must be a bare host name or address'],
    ['root@pve1', 'must be a bare host name or address'],
    ['pve_1!', 'must be a host name or an IP address'],
  ])('refuses proxmox_host %j instead of dropping part of it', (host, message) => {
    const error = catchError(() => loadBallastConfig({ overrides: { proxmox_host: host } }));
    expect(error.issues).toEqual([{ path: 'proxmox_host', message: expect.stringContaining(message) }]);
  });

  it.each(['pve1', 'pve1.corp.example', '192.0.2.10', 'fd00::1', '[fd00::1]'])(
    'accepts proxmox_host %j',
    (host) => {
      expect(loadBallastConfig({ overrides: { proxmox_host: host } }).proxmox_host).toBe(
        host.replace(/[[\]]/g, ''),
      );
    },
  );

  it.each(['file:///etc/passwd', 'data:text/plain,hi', 'ftp://models.example/v1', 'javascript:alert(1)'])(
    'refuses ai_base_url %j',
    (url) => {
      const error = catchError(() => loadBallastConfig({ overrides: { ai_base_url: url } }));
      expect(error.issues.map((issue) => issue.path)).toEqual(['ai_base_url']);
    },
  );

  it('warns about a plain-HTTP model endpoint on another machine, not on loopback', () => {
    const remote = loadBallastConfig({ overrides: { ai_base_url: 'http://10.0.0.5:8000/v1' } });
    expect(configWarnings(remote)).toEqual([
      expect.stringMatching(/http:\/\/10\.0\.0\.5:8000 is plain HTTP/),
    ]);
    const local = loadBallastConfig({ overrides: { ai_base_url: 'http://127.0.0.1:11434/v1' } });
    expect(configWarnings(local)).toEqual([]);
  });
});

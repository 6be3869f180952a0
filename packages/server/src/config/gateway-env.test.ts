import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../http/api-keys';
import { loadGatewayEnvironment } from './gateway-env';

const ollama = { OLLAMA_BASE_URL: 'http://127.0.0.1:11434', OLLAMA_MODELS: 'llama3.2' };

/** The issues of a configuration that must fail. */
function issuesOf(env: Record<string, string>, file?: string): Array<{ path: string; message: string }> {
  try {
    loadGatewayEnvironment({ env, ...(file ? { file } : {}) });
  } catch (error) {
    if (ConfigError.isInstance(error)) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadGatewayEnvironment', () => {
  it('has a default for every optional setting', () => {
    const settings = loadGatewayEnvironment({ env: ollama });
    expect(settings).toMatchObject({
      httpPort: 8080,
      host: '0.0.0.0',
      grpcPort: undefined,
      moduleId: 'ballast-gateway',
      strategy: 'weighted',
      enableMemory: false,
      enableRag: false,
      aliases: {},
      apiKeys: [],
      providers: [{ provider: 'ollama', models: ['llama3.2'], endpoint: 'http://127.0.0.1:11434' }],
    });
    expect(settings.targets.map((target) => target.model.modelId)).toEqual(['llama3.2']);
  });

  it.each([
    ['HTTP_PORT', 'eighty', /integer from 0 to 65535/],
    ['GRPC_PORT', '70000', /integer from 0 to 65535/],
    ['ROUTING_STRATEGY', 'fastest', /must be one of round_robin/],
    ['ENABLE_MEMORY', 'maybe', /true or false/],
    ['RATE_LIMIT_RPM', '0', /integer from 1/],
    ['MAX_BODY_BYTES', '12', /integer from 1024/],
    ['LOAD_BALANCER_TIMEOUT_MS', '1.5', /integer from 1/],
    ['LOAD_BALANCER_MAX_ATTEMPTS', '21', /integer from 1 to 20/],
    ['OPENAI_BASE_URL', 'ftp://example.com', /http\(s\) URL/],
    ['MODEL_ALIASES', 'fast', /is not alias=model\|model/],
    ['GATEWAY_API_KEYS', 'no-colon', /id:key or id:sha256/],
  ])('%s=%s is an issue naming the setting', (name, value, message) => {
    const issues = issuesOf({ ...ollama, [name]: value });
    expect(issues.find((issue) => issue.path === name || issue.path.startsWith(`${name}.`))?.message).toMatch(
      message,
    );
  });

  it('lists every problem at once, and never a key', () => {
    const issues = issuesOf({
      OPENAI_API_KEY: 'sk-do-not-print-me',
      HTTP_PORT: 'x',
      ROUTING_STRATEGY: 'fastest',
      GATEWAY_API_KEYS: 'a:sha256:zz',
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      'HTTP_PORT',
      'ROUTING_STRATEGY',
      'OPENAI_MODELS',
      'GATEWAY_API_KEYS.a',
    ]);
    expect(JSON.stringify(issues)).not.toContain('sk-do-not-print-me');
  });

  it('needs at least one provider, and a model list for each one that is on', () => {
    expect(issuesOf({})).toEqual([{ path: '(providers)', message: expect.stringMatching(/no provider/) }]);
    expect(issuesOf({ ANTHROPIC_API_KEY: 'k' })).toEqual([
      { path: 'ANTHROPIC_MODELS', message: expect.stringMatching(/required with ANTHROPIC_API_KEY/) },
    ]);
  });

  it('reports a bad GROQ_BASE_URL once', () => {
    const issues = issuesOf({ GROQ_API_KEY: 'gsk', GROQ_MODELS: 'llama', GROQ_BASE_URL: 'nope' });
    expect(issues.filter((issue) => issue.path === 'GROQ_BASE_URL')).toHaveLength(1);
  });

  it('hashes plain API keys at once and keeps them only as secrets to scrub; duplicate ids are refused', () => {
    const settings = loadGatewayEnvironment({
      env: { ...ollama, GATEWAY_API_KEYS: 'app:plain-key', GATEWAY_ADMIN_KEYS: `ops:${hashApiKey('x')}` },
    });
    expect(settings.apiKeys).toEqual([
      { id: 'app', hash: hashApiKey('plain-key'), admin: false },
      { id: 'ops', hash: hashApiKey('x'), admin: true },
    ]);
    expect(settings.secrets).toContain('plain-key');
    expect(issuesOf({ ...ollama, GATEWAY_API_KEYS: 'a:1,a:2' })).toEqual([
      { path: 'GATEWAY_API_KEYS', message: 'duplicate key id "a"' },
    ]);
  });

  it('reads aliases, CORS origins and the seed strategy names', () => {
    const settings = loadGatewayEnvironment({
      env: {
        ...ollama,
        MODEL_ALIASES: 'fast=llama3.2|gpt-4o-mini; smart=claude',
        CORS_ORIGINS: 'https://a.example, https://b.example',
        ROUTING_STRATEGY: 'load_balanced',
      },
    });
    expect(settings.aliases).toEqual({ fast: ['llama3.2', 'gpt-4o-mini'], smart: ['claude'] });
    expect(settings.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.strategy).toBe('least-busy');
  });

  it('reads a JSON file underneath the environment, and says when the file is not a JSON object', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ballast-env-'));
    const file = join(folder, 'gateway.json');
    writeFileSync(file, JSON.stringify({ ...ollama, HTTP_PORT: 9000, OLLAMA_MODELS: ['a', 'b'] }));
    const settings = loadGatewayEnvironment({ env: { HTTP_PORT: '9100' }, file });
    expect(settings.httpPort).toBe(9100);
    expect(settings.providers[0]?.models).toEqual(['a', 'b']);
    writeFileSync(file, '[1, 2]');
    expect(issuesOf(ollama, file)[0]).toEqual({ path: '(file)', message: `${file} must hold a JSON object` });
    expect(issuesOf(ollama, join(folder, 'missing.json'))[0]?.message).toMatch(/ENOENT/);
  });
});

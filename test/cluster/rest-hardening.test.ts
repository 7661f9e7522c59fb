/**
 * No web page can drive the REST API: the real server on 127.0.0.1 (port 0) against
 * requests as a DNS-rebinding page or a cross-site form would send them, raw HTTP so
 * that Host and Origin can be set at will.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { JobRegistry } from '../../src/cluster/rest/job-registry.js';
import { normaliseHostName, RestAccessPolicy } from '../../src/cluster/rest/rest-access-policy.js';
import { RestError } from '../../src/cluster/rest/rest-error.js';
import { startRestServer } from '../../src/cluster/rest/rest-server.js';
import type { RestServer } from '../../src/cluster/rest/rest-server.js';
import { eventually, FakeJob } from './support/fake-job.js';

const JOB = '0123456789abcdef0123456789abcdef';

interface Answer {
  readonly status: number;
  readonly body: { message?: string; [field: string]: unknown };
}

/** One request with exactly these headers (`host: null` sends none). */
function send(port: number, method: string, path: string, headers: Record<string, string | null>, body?: string): Promise<Answer> {
  const { host, ...rest } = headers;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        setHost: false,
        headers: { ...(host === null ? {} : { Host: host ?? `127.0.0.1:${port}` }), ...rest, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text === '' ? {} : JSON.parse(text)) as Answer['body'] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `text` as is and resolves with everything the server answers before it closes. */
function rawHttp10(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('the hardened REST server', () => {
  let registry: JobRegistry;
  let server: RestServer;
  let job: FakeJob;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-rest-hardening-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    registry = new JobRegistry();
    job = new FakeJob(JOB, 'job');
    job.savepointDirectory = join(dir, 'savepoints');
    registry.add(job);
    server = await startRestServer(registry, { port: 0, allowedHosts: ['eddy.example.com'] });
  });

  afterEach(async () => {
    await server.close();
  });

  const json = { 'Content-Type': 'application/json' };

  describe('Host (DNS rebinding)', () => {
    it.each(['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST:8081', '127.0.0.1:1', '[::1]:65535'])('answers a request for Host %s', async (host) => {
      expect((await send(server.port, 'GET', '/jobs', { host })).status).toBe(200);
    });

    it('answers a name given as an allowed host, with or without a port', async () => {
      expect((await send(server.port, 'GET', '/jobs', { host: 'eddy.example.com' })).status).toBe(200);
      expect((await send(server.port, 'GET', '/jobs', { host: 'eddy.example.com:8081' })).status).toBe(200);
    });

    it('refuses with 403 a Host that names another server, and the request does nothing', async () => {
      const read = await send(server.port, 'GET', '/jobs', { host: 'attacker.example:8081' });
      expect(read.status).toBe(403);
      expect(read.body.message).toBe(
        "request refused: Host 'attacker.example:8081' is not a name of this server (accepted: localhost, 127.0.0.1, [::1], eddy.example.com; start eddy run with --rest-allowed-host <name> to accept another)",
      );
      const cancel = await send(server.port, 'PATCH', `/jobs/${JOB}?mode=cancel`, { host: 'attacker.example' });
      expect(cancel.status).toBe(403);
      expect(job.cancels).toBe(0);
    });

    it.each(['127.0.0.2', 'localhost.', 'sub.localhost', '127.0.0.1.nip.io', '0.0.0.0', 'evil.com:80@127.0.0.1'])('refuses Host %s', async (host) => {
      expect((await send(server.port, 'GET', `/jobs/${JOB}`, { host })).status).toBe(403);
    });

    it('refuses a request without a Host header', async () => {
      // HTTP/1.1 without Host: Node's server answers 400 itself
      expect((await send(server.port, 'GET', '/jobs', { host: null })).status).toBe(400);
      // HTTP/1.0 may leave it out: the policy refuses it
      const raw = await rawHttp10(server.port, 'GET /jobs HTTP/1.0\r\n\r\n');
      expect(raw).toMatch(/^HTTP\/1\.1 403 /);
      expect(raw).toContain('request refused: it has no Host header');
    });
  });

  describe('Origin (cross-site requests)', () => {
    it('answers a request whose Origin is the server itself', async () => {
      const host = `127.0.0.1:${server.port}`;
      expect((await send(server.port, 'GET', '/jobs', { host, Origin: `http://${host}` })).status).toBe(200);
      expect((await send(server.port, 'PATCH', `/jobs/${JOB}?mode=cancel`, { host, Origin: `http://${host}` })).status).toBe(202);
      await eventually(() => job.cancels === 1, 'the cancel');
    });

    it.each(['http://attacker.example', 'null', 'https://127.0.0.1:PORT', 'http://localhost:PORT'])('refuses with 403 the Origin %s, doing nothing', async (originPattern) => {
      const origin = originPattern.replace('PORT', String(server.port));
      const answer = await send(server.port, 'POST', `/jobs/${JOB}/savepoints`, { Origin: origin, ...json }, '{}');
      expect(answer.status).toBe(403);
      expect(answer.body.message).toBe(
        `request refused: Origin '${origin}' is not this server (http://127.0.0.1:${server.port}); the REST API does not serve other sites`,
      );
      expect(job.savepoints).toHaveLength(0);
    });
  });

  describe('Content-Type', () => {
    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['multipart', 'multipart/form-data; boundary=x'],
    ])('refuses a POST sent as %s with 415, doing nothing', async (_, contentType) => {
      const answer = await send(server.port, 'POST', `/jobs/${JOB}/savepoints`, { 'Content-Type': contentType }, '{}');
      expect(answer.status).toBe(415);
      expect(answer.body.message).toBe(
        `POST needs a JSON body with Content-Type: application/json (got '${contentType}'); send -H 'Content-Type: application/json'`,
      );
      expect(job.savepoints).toHaveLength(0);
    });

    it('refuses a POST without a Content-Type, even without a body', async () => {
      const answer = await send(server.port, 'POST', `/jobs/${JOB}/cancel`, {});
      expect(answer.status).toBe(415);
      expect(answer.body.message).toMatch(/got none/);
      expect(job.cancels).toBe(0);
    });

    it('takes application/json with parameters, and an empty JSON body', async () => {
      const answer = await send(server.port, 'POST', `/jobs/${JOB}/savepoints`, { 'Content-Type': 'Application/JSON; charset=utf-8' }, '');
      expect(answer.status).toBe(202);
      await eventually(() => job.savepoints.length === 1, 'the savepoint to be triggered');
    });

    it('takes a PATCH without a body or a Content-Type', async () => {
      expect((await send(server.port, 'PATCH', `/jobs/${JOB}?mode=cancel`, {})).status).toBe(202);
      await eventually(() => job.cancels === 1, 'the cancel');
    });

    it('refuses a PATCH whose body is not JSON', async () => {
      expect((await send(server.port, 'PATCH', `/jobs/${JOB}?mode=cancel`, { 'Content-Type': 'text/plain' }, 'x')).status).toBe(415);
      expect(job.cancels).toBe(0);
    });
  });

  describe('job ids', () => {
    it.each([
      ['PATCH', `/jobs/${JOB.slice(0, 8)}?mode=cancel`],
      ['POST', `/jobs/${JOB.slice(0, 8)}/cancel`],
      ['POST', `/jobs/${JOB.slice(0, 4)}/savepoints`],
      ['POST', `/jobs/${JOB.slice(0, 31)}/stop`],
    ])('refuses a prefix on %s %s with 400 "a full job id is required"', async (method, path) => {
      const answer = await send(server.port, method, path, json, method === 'POST' ? '{}' : undefined);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/^a full job id is required: '[0-9a-f]+' is not 32 hex characters \(GET \/jobs lists the ids\)$/);
      expect(job.cancels + job.savepoints.length + job.stops.length).toBe(0);
    });

    it('takes the full id in upper case on a mutating route', async () => {
      expect((await send(server.port, 'PATCH', `/jobs/${JOB.toUpperCase()}?mode=cancel`, {})).status).toBe(202);
      await eventually(() => job.cancels === 1, 'the cancel');
    });

    it('answers 404 for a full id of no job on a mutating route', async () => {
      const answer = await send(server.port, 'PATCH', `/jobs/${'f'.repeat(32)}?mode=cancel`, {});
      expect(answer.status).toBe(404);
    });

    it('still finds a job by a unique prefix on GET routes', async () => {
      const details = await send(server.port, 'GET', `/jobs/${JOB.slice(0, 6)}`, {});
      expect(details.status).toBe(200);
      expect(details.body.jid).toBe(JOB);
      expect((await send(server.port, 'GET', `/jobs/${JOB.slice(0, 4)}/checkpoints`, {})).status).toBe(200);
    });
  });

  describe('savepoint targets', () => {
    async function savepointTo(target: string, route: 'savepoints' | 'stop' = 'savepoints'): Promise<Answer> {
      const field = route === 'savepoints' ? 'target-directory' : 'targetDirectory';
      return send(server.port, 'POST', `/jobs/${JOB}/${route}`, json, JSON.stringify({ [field]: target }));
    }

    it('refuses a relative directory with 400', async () => {
      const answer = await savepointTo('savepoints');
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe("savepoint directory 'savepoints' is not absolute: give an absolute path");
      expect(job.savepoints).toHaveLength(0);
    });

    it('refuses /proc, /sys and /dev with 400 before starting anything', async () => {
      for (const target of ['/proc/self/sp', '/sys', '/dev/shm/x']) {
        for (const route of ['savepoints', 'stop'] as const) {
          const answer = await savepointTo(target, route);
          expect(answer.status).toBe(400);
          expect(answer.body.message).toMatch(/is under \/(proc|sys|dev), where no savepoint can be written/);
        }
      }
      expect(job.savepoints.length + job.stops.length).toBe(0);
    });

    it('refuses a directory outside the configured savepoint roots, and takes one inside', async () => {
      job.savepointRoots = [join(dir, 'savepoints')];
      const outside = await savepointTo('/etc');
      expect(outside.status).toBe(400);
      expect(outside.body.message).toMatch(/^savepoint directory '\/etc' is outside the savepoint directories of this job/);
      const inside = await savepointTo(join(dir, 'savepoints', 'nightly', '..', 'weekly'));
      expect(inside.status).toBe(202);
      await eventually(() => job.savepoints.length === 1, 'the savepoint to be triggered');
      expect(job.savepoints[0]!.directory).toBe(join(dir, 'savepoints', 'weekly'));
    });

    it('refuses with 400 when neither the request nor the job names a directory', async () => {
      job.savepointDirectory = undefined;
      const answer = await send(server.port, 'POST', `/jobs/${JOB}/stop`, json, '{}');
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe('cannot stop with a savepoint: no savepoint directory; give one, or start the job with --savepoint-dir');
    });
  });
});

describe('the access policy', () => {
  it('takes the bind address, not the loopback names, when bound elsewhere', () => {
    const policy = new RestAccessPolicy('192.168.1.20', ['eddy.lan']);
    expect(() => policy.check('192.168.1.20:8081', undefined)).not.toThrow();
    expect(() => policy.check('eddy.lan', 'http://eddy.lan')).not.toThrow();
    for (const host of ['localhost:8081', '127.0.0.1', 'attacker.example']) {
      const error = (() => {
        try {
          policy.check(host, undefined);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(RestError);
      expect((error as RestError).status).toBe(403);
    }
  });

  it('writes IPv6 bind addresses in brackets', () => {
    const policy = new RestAccessPolicy('fd00::1');
    expect(() => policy.check('[fd00::1]:8081', undefined)).not.toThrow();
    expect(() => policy.check('[::1]:8081', undefined)).toThrow(/not a name of this server/);
  });

  it('accepts host names and addresses as allowed hosts, and refuses URLs and ports', () => {
    expect(normaliseHostName('Eddy.Example.COM')).toBe('eddy.example.com');
    expect(normaliseHostName('::1')).toBe('[::1]');
    expect(normaliseHostName('[fd00::2]')).toBe('[fd00::2]');
    expect(normaliseHostName('10.0.0.1')).toBe('10.0.0.1');
    for (const bad of ['http://eddy.example.com', 'eddy.example.com:8081', '', 'a b', '*.example.com']) {
      expect(() => normaliseHostName(bad)).toThrow(ConfigError);
    }
    expect(() => normaliseHostName('x:1')).toThrow(
      "--rest-allowed-host 'x:1' is not a host name or IP address: give the name only, without scheme or port (e.g. --rest-allowed-host eddy.example.com)",
    );
  });
});

/**
 * Who may talk to the REST API. It has no authentication, so a web page the user visits
 * must not be able to drive it: the `Host` header must name the server (a DNS-rebinding
 * page sends its own name) and a browser's `Origin`, when sent, must be the server's own.
 * Which names count depends on the address the server is bound to: on loopback the three
 * loopback names, elsewhere the bind address; names given with `--rest-allowed-host`
 * count everywhere.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../../core/errors.js';
import { RestError } from './rest-error.js';

/** Names a loopback-bound server answers to, whatever the port. */
const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

const LOOPBACK_ADDRESSES: readonly string[] = ['localhost', '127.0.0.1', '::1', '[::1]'];

/** A DNS name: labels of letters, digits and hyphens, separated by dots. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * A host name as it appears in a `Host` header without its port: lower case, IPv6
 * addresses in brackets.
 * @throws ConfigError naming `option` when `name` is not a DNS name or an IP address
 */
export function normaliseHostName(name: string, option = '--rest-allowed-host'): string {
  const normalised = parseHostName(name.trim());
  if (normalised !== undefined) return normalised;
  throw new ConfigError(
    `${option} '${name}' is not a host name or IP address: give the name only, without scheme or port (e.g. ${option} eddy.example.com)`,
  );
}

/** Decides whether a request's `Host` and `Origin` headers may reach the API. */
export class RestAccessPolicy {
  private readonly names: ReadonlySet<string>;

  /**
   * @param bindAddress the address the server listens on
   * @param allowedHosts more names accepted in `Host` (`--rest-allowed-host`)
   */
  constructor(bindAddress: string, allowedHosts: readonly string[] = []) {
    const own = LOOPBACK_ADDRESSES.includes(bindAddress.toLowerCase()) ? LOOPBACK_NAMES : [normaliseHostName(bindAddress, 'bind address')];
    this.names = new Set([...own, ...allowedHosts.map((h) => normaliseHostName(h))]);
  }

  /**
   * Checks a request's headers.
   * @throws RestError 403 when `Host` is missing or names another server, or `Origin` is not `http://<Host>`
   */
  check(host: string | undefined, origin: string | undefined): void {
    if (host === undefined || host.length === 0) throw new RestError(403, 'request refused: it has no Host header');
    const name = hostNameOf(host);
    if (name === undefined || !this.names.has(name)) {
      throw new RestError(
        403,
        `request refused: Host '${host}' is not a name of this server (accepted: ${[...this.names].join(', ')}; start eddy run with --rest-allowed-host <name> to accept another)`,
      );
    }
    if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`) {
      throw new RestError(403, `request refused: Origin '${origin}' is not this server (http://${host}); the REST API does not serve other sites`);
    }
  }
}

/** The name part of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), normalised; undefined when malformed. */
function hostNameOf(host: string): string | undefined {
  const lower = host.toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(lower);
  return match ? parseHostName(match[1]!) : undefined;
}

/** `name` lower-cased, IPv6 in brackets; undefined when it is neither a DNS name nor an IP address. */
function parseHostName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  if (isIP(bare) === 6) return `[${bare}]`;
  if (isIP(bare) === 4 || DNS_NAME.test(bare)) return bare;
  return undefined;
}

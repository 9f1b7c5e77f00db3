import net from 'node:net';

/**
 * Tests may only talk to loopback: their own stub servers and Postgres. Any other destination fails loudly
 * instead of reaching a real provider. Loaded as a setup file in the test process, and with `--import` in every
 * Node process a test spawns (see child-process-env.ts), so a spawned Leadline is held to the same rule.
 */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;
const PATCHED = Symbol.for('leadline.test.networkBlocked');
const socketPrototype = net.Socket.prototype as net.Socket & { [PATCHED]?: true };

if (!socketPrototype[PATCHED]) {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
    // net.connect(), tls and undici hand connect() the normalised [options, callback] array, not options.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
      host?: unknown;
      path?: unknown;
    };
    const host = typeof options.host === 'string' ? options.host : 'localhost';
    if (options.path === undefined && !LOOPBACK.test(host)) {
      throw new Error(`test tried to reach ${host}: tests may only use loopback stub servers`);
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  socketPrototype[PATCHED] = true;
}

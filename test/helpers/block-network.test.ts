import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadlineProcessEnv } from './spawn-leadline.ts';

const execFileAsync = promisify(execFile);

const BLOCKED = 'test tried to reach 203.0.113.1: tests may only use loopback stub servers';

/**
 * The ways code opens a TCP connection: pg calls `socket.connect(port, host)`, undici and nodemailer
 * `net.connect(options)` (which hands connect() a normalised array), HTTPS `tls.connect(options)`.
 * Each probe is run against 203.0.113.1 (TEST-NET-3). Should the block be missing, the socket is destroyed in
 * the same tick as connect(): Node opens a connection to an IP address on the next tick, so nothing is sent.
 */
const PROBES = `
  const net = require('node:net');
  const tls = require('node:tls');
  const shapes = {
    'net.connect(port, host)': () => net.connect(80, '203.0.113.1'),
    'net.connect(options)': () => net.connect({ port: 80, host: '203.0.113.1' }),
    'new Socket().connect(port, host)': () => new net.Socket().connect(80, '203.0.113.1'),
    'tls.connect(options)': () => tls.connect({ port: 443, host: '203.0.113.1' }),
  };
  const outcome = {};
  for (const [shape, open] of Object.entries(shapes)) {
    try {
      open().destroy();
      outcome[shape] = 'not blocked';
    } catch (error) {
      outcome[shape] = error.message;
    }
  }
  console.log(JSON.stringify(outcome));
`;

const ALL_BLOCKED = {
  'net.connect(port, host)': BLOCKED,
  'net.connect(options)': BLOCKED,
  'new Socket().connect(port, host)': BLOCKED,
  'tls.connect(options)': BLOCKED,
};

let loopback: net.Server | undefined;
let loopbackPort: number;

beforeAll(async () => {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  loopback = server;
  loopbackPort = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (loopback ? loopback.close(() => resolve()) : resolve()));
});

describe('network blocking', () => {
  it('when a process spawned with the environment spawnLeadline gives it opens a connection to a non-loopback address, in any of the ways code does, then connect() throws naming the block', async () => {
    const { stdout } = await execFileAsync(process.execPath, ['-e', PROBES], { env: leadlineProcessEnv({}) });
    expect(JSON.parse(stdout)).toEqual(ALL_BLOCKED);
  });

  it('when the same process connects to a loopback server, then it connects', async () => {
    const script = `
      const socket = require('node:net').connect(${loopbackPort}, '127.0.0.1');
      socket.on('connect', () => { console.log('connected'); socket.end(); });
      socket.on('error', (error) => console.log('error: ' + error.message));
    `;
    const { stdout } = await execFileAsync(process.execPath, ['-e', script], { env: leadlineProcessEnv({}) });
    expect(stdout.trim()).toBe('connected');
  });

  it('when the spawned process starts a Node process of its own, then that one is blocked too (NODE_OPTIONS is inherited)', async () => {
    const nested = `process.stdout.write(require('node:child_process').execFileSync(process.execPath, ['-e', ${JSON.stringify(PROBES)}]));`;
    const { stdout } = await execFileAsync(process.execPath, ['-e', nested], { env: leadlineProcessEnv({}) });
    expect(JSON.parse(stdout)).toEqual(ALL_BLOCKED);
  });

  it('when this test process opens a connection to a non-loopback address, then the setup file blocks it the same way', () => {
    // Destroyed in the same tick should the block be missing, so nothing is sent (see PROBES).
    expect(() => net.connect(80, '203.0.113.1').destroy()).toThrow(BLOCKED);
    expect(() => net.connect({ port: 80, host: '203.0.113.1' }).destroy()).toThrow(BLOCKED);
    expect(() => new net.Socket().connect(80, '203.0.113.1').destroy()).toThrow(BLOCKED);
    expect(() => tls.connect({ port: 443, host: '203.0.113.1' }).destroy()).toThrow(BLOCKED);
  });
});

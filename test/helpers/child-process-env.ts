/**
 * The environment for a Node process a test spawns: `NODE_OPTIONS` preloads block-network.ts, so the child
 * (and any Node process it starts in turn, which inherits NODE_OPTIONS) can reach loopback only, like the test
 * process itself.
 */
const BLOCK_NETWORK = `--import=${new URL('./block-network.ts', import.meta.url).href}`;

export function childProcessEnv(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  result['NODE_OPTIONS'] = [BLOCK_NETWORK, env['NODE_OPTIONS']].filter(Boolean).join(' ');
  return result;
}

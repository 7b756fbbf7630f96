/**
 * The environment for the Node processes we start (the server from the CLI, the workers from the
 * server). Node reads and parses the certificates NODE_EXTRA_CA_CERTS names at every start, before
 * any code runs: ~60 ms a process on the machines of our benchmarks, which set it; paid in a row
 * by the CLI, the server and each worker. None of them opens a TLS connection.
 */
export function nodeChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_EXTRA_CA_CERTS === undefined) return env;
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return rest;
}

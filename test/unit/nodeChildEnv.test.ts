/** The Node processes we start go without NODE_EXTRA_CA_CERTS (read at every start, never used by them), and with everything else. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeChildEnv } from '../../server/src/nodeChildEnv';

test('the environment of our Node children drops NODE_EXTRA_CA_CERTS only, and leaves the parent’s as it was', () => {
  const parent = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', MARK: 'x' };
  assert.deepEqual(nodeChildEnv(parent), { PATH: '/usr/bin', MARK: 'x' });
  assert.equal(parent.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt');
  const without = { PATH: '/usr/bin' };
  assert.equal(nodeChildEnv(without), without);
});

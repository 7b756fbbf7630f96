/**
 * Bad input through the real server (real workers and coqidetop), driven as an editor would:
 * every pathological document of the fuzzer (test/fuzz/cases.ts) gets its checkFinished, with
 * diagnostics that stay inside the document, while the server keeps answering and logs no internal
 * error; so does malformed LSP from the editor side. Afterwards the server still checks a normal
 * document right, and no process is left (ServerProbe.stop asserts it).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { CheckDocumentRequest, KillWorkerRequest } from '../../protocol/lsp';
import { NAMED_CASES } from '../fuzz/cases';
import { diagnosticsOutOfPlace } from '../fuzz/oracle';
import { ServerProbe } from '../fuzz/serverProbe';

test('every pathological document gets its checkFinished; the server keeps answering and then checks a normal document right', async (t) => {
  const probe = await ServerProbe.start({ workers: 2, proofTimeLimitMs: 10_000 });
  try {
    for (const named of NAMED_CASES.filter((c) => !c.inProcessOnly)) {
      await t.test(named.name, async () => {
        const text = named.make();
        const { finished, diagnostics } = await probe.check(text, 180_000);
        assert.equal(finished.version, 1);
        const { total, checked, failed, timedOut, unchecked } = finished.proofs;
        assert.equal(checked + failed + timedOut + unchecked, total, 'every proof has one status');
        assert.deepEqual(diagnosticsOutOfPlace(text, diagnostics), [], 'diagnostics inside the document');
        assert.deepEqual(diagnostics.filter((d) => d.message.startsWith('Not checked')), [], 'no task failed inside ProofPool');
        assert.ok((await probe.workers()).length > 0, 'the server answers');
        assert.deepEqual(probe.internalErrors, [], 'no internal error');
      });
    }
    assert.deepEqual(await probe.brokenExampleProblems(), []);
  } finally {
    await probe.stop();
  }
});

test('malformed LSP from the editor: frames that are not JSON or not messages, wrong shapes; the server answers with errors and goes on', async () => {
  const probe = await ServerProbe.start({ workers: 1 });
  try {
    // ServerSession keeps its process to itself: the test plays a broken client on its stdin directly.
    const stdin = (probe.session as unknown as { child: ChildProcess }).child.stdin!;
    const frame = (body: string | Buffer) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]));
    };
    frame('this is not JSON');
    frame('{"jsonrpc":"2.0","id":');
    frame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    frame('[1,2,3]');
    frame('{"jsonrpc":"2.0","method":42}');
    frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":null}');
    frame('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere/none.v","version":2},"contentChanges":[{"text":"x"}]}}');
    const connection = probe.session.connection;
    await assert.rejects(connection.sendRequest(KillWorkerRequest.type, null as never));
    assert.deepEqual(await connection.sendRequest(KillWorkerRequest.type, { id: 'no such worker' } as never), { killed: false });
    assert.deepEqual(await connection.sendRequest(CheckDocumentRequest.type, { uri: 42 } as never), { started: false });
    await assert.rejects(connection.sendRequest('proofpool/noSuchMethod', {}), /Unhandled method/);
    assert.deepEqual(await probe.brokenExampleProblems(), [], 'a normal document afterwards gets its right verdict');
    assert.deepEqual(probe.internalErrors, []);
  } finally {
    await probe.stop();
  }
});

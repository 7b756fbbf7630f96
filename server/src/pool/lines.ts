/** Splits a text stream into lines (a worker's stdout or stderr, for the log). */
export function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return new Promise((resolve) => {
    stream.on('end', () => {
      if (pending) onLine(pending);
      resolve();
    });
    stream.on('error', () => resolve());
  });
}

/** Coq gives locations as UTF-8 byte offsets inside a sentence; LSP wants UTF-16 offsets in the document. */

/** Document offsets [start, end) of a byte range of `text`, which starts at `textStart`; clamped to the text. */
export function byteRangeToOffsets(text: string, range: { start: number; end: number }, textStart: number): [number, number] {
  const start = byteToUtf16(text, range.start);
  const end = Math.max(start, byteToUtf16(text, range.end));
  return [textStart + start, textStart + end];
}

function byteToUtf16(text: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const code = text.codePointAt(i)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) i++;
  }
  return text.length;
}

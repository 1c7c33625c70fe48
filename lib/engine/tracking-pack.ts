import crypto from "node:crypto";
import type { TrackedFile } from "./tracking-store";

/**
 * Tracked files of one range of keys packed into one buffer, for a database where a row per file
 * plus its index would cost several times the file's own data. Paths share their prefix with the
 * path before them, numbers are varints (times and inodes as signed distances from the entry
 * before), and the ETag's tag and the SHA-256 are raw bytes: about 65 bytes a file.
 *
 * Layout: version byte, varint count, then per entry: varint shared prefix (bytes of the previous
 * path's UTF-8), varint suffix length, suffix, varint size, zigzag mtime distance, zigzag ctime
 * minus mtime, zigzag inode distance, 8 bytes of ETag tag, 32 bytes of SHA-256.
 */
const FORMAT = 1;
const ETAG_TAG_BYTES = 8;
const SHA256_BYTES = 32;

class Writer {
  private buffer = Buffer.allocUnsafe(4096);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  varint(value: bigint): void {
    if (value < 0n) throw new RangeError("a varint cannot be negative");
    this.room(10);
    let v = value;
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  small(value: number): void {
    this.varint(BigInt(value));
  }

  signed(value: bigint): void {
    this.varint(value >= 0n ? value << 1n : (-value << 1n) - 1n);
  }

  bytes(value: Buffer, exactly?: number): void {
    if (exactly !== undefined && value.length !== exactly)
      throw new RangeError(`expected ${exactly} bytes, got ${value.length}`);
    this.room(value.length);
    value.copy(this.buffer, this.length);
    this.length += value.length;
  }

  done(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}

  varint(): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (this.at >= this.buffer.length) throw new RangeError("a tracking pack ends inside a number");
      const byte = this.buffer[this.at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
      shift += 7n;
      if (shift > 70n) throw new RangeError("a tracking pack holds a number too long");
    }
  }

  small(): number {
    const value = this.varint();
    if (value > BigInt(this.buffer.length)) throw new RangeError("a tracking pack holds a length beyond its end");
    return Number(value);
  }

  signed(): bigint {
    const v = this.varint();
    return v & 1n ? -((v + 1n) >> 1n) : v >> 1n;
  }

  bytes(n: number): Buffer {
    if (this.at + n > this.buffer.length) throw new RangeError("a tracking pack ends inside an entry");
    const out = this.buffer.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  get ended(): boolean {
    return this.at === this.buffer.length;
  }
}

/** Packs files given in key order (UTF-8 byte order, as S3 lists). */
export function encodePack(files: readonly TrackedFile[]): Buffer {
  const out = new Writer();
  out.small(FORMAT);
  out.small(files.length);
  let previous = Buffer.alloc(0);
  let mtime = 0n;
  let ino = 0n;
  for (const file of files) {
    const name = Buffer.from(file.path, "utf8");
    if (Buffer.compare(previous, name) >= 0 && previous.length > 0)
      throw new RangeError(`tracked paths must be packed in key order: "${file.path}"`);
    let shared = 0;
    const most = Math.min(previous.length, name.length);
    while (shared < most && previous[shared] === name[shared]) shared++;
    out.small(shared);
    out.small(name.length - shared);
    out.bytes(name.subarray(shared));
    out.varint(file.size);
    out.signed(file.mtimeNs - mtime);
    out.signed(file.ctimeNs - file.mtimeNs);
    out.signed(file.ino - ino);
    out.bytes(Buffer.from(file.etagTag, "hex"), ETAG_TAG_BYTES);
    out.bytes(file.sha256, SHA256_BYTES);
    previous = name;
    mtime = file.mtimeNs;
    ino = file.ino;
  }
  return out.done();
}

/** The files of a pack, in key order; a pack that does not read whole is refused, never half used. */
export function decodePack(body: Buffer): TrackedFile[] {
  const input = new Reader(body);
  const format = input.small();
  if (format !== FORMAT) throw new RangeError(`a tracking pack of format ${format} cannot be read by this version`);
  const count = input.small();
  const files: TrackedFile[] = [];
  let previous = Buffer.alloc(0);
  let mtime = 0n;
  let ino = 0n;
  for (let i = 0; i < count; i++) {
    const shared = input.small();
    if (shared > previous.length) throw new RangeError("a tracking pack shares more of a path than there was");
    const suffix = input.bytes(input.small());
    const name = Buffer.concat([previous.subarray(0, shared), suffix]);
    const size = input.varint();
    mtime += input.signed();
    const ctimeNs = mtime + input.signed();
    ino += input.signed();
    const etagTag = Buffer.from(input.bytes(ETAG_TAG_BYTES)).toString("hex");
    const sha256 = Buffer.from(input.bytes(SHA256_BYTES));
    files.push({ path: name.toString("utf8"), size, mtimeNs: mtime, ctimeNs, ino, etagTag, sha256 });
    previous = name;
  }
  if (!input.ended) throw new RangeError("a tracking pack holds more than its entries");
  return files;
}

/** Names a pack's content: equal digests, equal packs. */
export function packDigest(body: Buffer): string {
  return crypto.hash("sha256", body, "hex").slice(0, 16);
}

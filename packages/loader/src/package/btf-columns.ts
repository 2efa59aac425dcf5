/**
 * A lossless, more compressible layout for the type section of a BTF blob, used by the
 * MessagePack package form. BTF stores each type as fixed-width little-endian records
 * whose fields (kinds, name offsets, type ids, member offsets) are interleaved; split into
 * one varint column per field, with type ids predicted ("the next new id") and offsets
 * delta-coded, the same data compresses to about half the size.
 *
 * `btfTypesToColumns` refuses (throws) anything it could not restore byte for byte: an
 * unknown kind, bits set where BTF defines none, a truncated record. Callers keep the raw
 * bytes then; they also check the round trip before relying on it.
 */

// BTF kinds (include/uapi/linux/btf.h)
const INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8;
const VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14;
const DATASEC = 15, FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;

/** Kinds whose third word is a size; the others (but FWD and ARRAY, where it is 0) hold a type id. */
const SIZED = new Set([INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT]);
const UNUSED_ZERO = new Set([FWD, ARRAY]);
const INFO_DEFINED_BITS = 0x9f00ffff; // kind_flag (31), kind (24-28), vlen (0-15)

const enum Column { Kind, Vlen, TypeName, MemberName, Size, Ref, MemberOffset, BitfieldSize, Misc, Count }

class VarintWriter {
  private bytes: number[] = [];
  /** A non-negative integer below 2^53 (zigzag deltas of 32-bit words reach 2^33). */
  write(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }
  /** Signed values (deltas) as zigzag. */
  writeSigned(value: number): void {
    this.write(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  get length(): number {
    return this.bytes.length;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class VarintReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  read(): number {
    let value = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      if (this.pos >= this.bytes.length) throw new Error("BTF column ends early");
      const b = this.bytes[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new Error("BTF column holds an over-long varint");
  }
  readSigned(): number {
    const z = this.read();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  get done(): boolean {
    return this.pos === this.bytes.length;
  }
}

/**
 * The prediction state both directions share: string offsets grow as names are first used,
 * and type ids as types are first referenced, so most values are "the next one".
 */
class Predictor {
  private lastNameEnd = 0;
  private maxRef = 0;
  /** 0 for no name, else 1 + zigzag(offset - highest offset so far). */
  nameCode(off: number): number {
    if (off === 0) return 0;
    const delta = off - this.lastNameEnd;
    if (off > this.lastNameEnd) this.lastNameEnd = off;
    return 1 + (delta >= 0 ? delta * 2 : -delta * 2 - 1);
  }
  nameFrom(code: number): number {
    if (code === 0) return 0;
    const z = code - 1;
    const off = this.lastNameEnd + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    if (off > this.lastNameEnd) this.lastNameEnd = off;
    return off;
  }
  /** 0 for "one past the highest id referenced so far", else id + 1. */
  refCode(id: number): number {
    if (id === this.maxRef + 1) {
      this.maxRef = id;
      return 0;
    }
    if (id > this.maxRef) this.maxRef = id;
    return id + 1;
  }
  refFrom(code: number): number {
    const id = code === 0 ? this.maxRef + 1 : code - 1;
    if (id > this.maxRef) this.maxRef = id;
    return id;
  }
}

/** Bytes of the records that follow a type's 12-byte header. */
function trailerSize(kind: number, vlen: number): number {
  switch (kind) {
    case INT: case VAR: case DECL_TAG: return 4;
    case ARRAY: return 12;
    case STRUCT: case UNION: case DATASEC: case ENUM64: return 12 * vlen;
    case ENUM: case FUNC_PROTO: return 8 * vlen;
    case PTR: case FWD: case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case FUNC: case FLOAT: case TYPE_TAG: return 0;
    default: throw new Error(`BTF kind ${kind} has no column layout`);
  }
}

function writeColumns(columns: VarintWriter[], count: number): Uint8Array {
  const head = new VarintWriter();
  head.write(count);
  for (const c of columns) head.write(c.length);
  const parts = [head.toBytes(), ...columns.map((c) => c.toBytes())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The columns of a BTF type section (the bytes between the header's type_off and
 * type_off + type_len, little-endian).
 * @throws Error when the section holds anything the columns could not restore exactly.
 */
export function btfTypesToColumns(types: Uint8Array): Uint8Array {
  const view = new DataView(types.buffer, types.byteOffset, types.byteLength);
  const col = Array.from({ length: Column.Count }, () => new VarintWriter());
  const p = new Predictor();
  let pos = 0;
  let count = 0;
  const u32 = (at: number) => view.getUint32(at, true);
  while (pos < types.length) {
    if (pos + 12 > types.length) throw new Error("BTF type record truncated");
    const info = u32(pos + 4);
    if ((info & ~INFO_DEFINED_BITS) !== 0) throw new Error("BTF info has undefined bits set");
    const kind = (info >>> 24) & 0x1f, vlen = info & 0xffff, kflag = info >>> 31;
    const end = pos + 12 + trailerSize(kind, vlen);
    if (end > types.length) throw new Error("BTF type record truncated");
    col[Column.Kind].write(kind | (kflag << 7));
    col[Column.Vlen].write(vlen);
    col[Column.TypeName].write(p.nameCode(u32(pos)));
    const third = u32(pos + 8);
    if (SIZED.has(kind)) col[Column.Size].write(third);
    else if (UNUSED_ZERO.has(kind)) {
      if (third !== 0) throw new Error("BTF size/type word set where it must be 0");
    } else col[Column.Ref].write(p.refCode(third));
    let at = pos + 12;
    switch (kind) {
      case INT: case VAR: case DECL_TAG:
        col[Column.Misc].write(u32(at));
        break;
      case ARRAY:
        col[Column.Ref].write(p.refCode(u32(at)));
        col[Column.Ref].write(p.refCode(u32(at + 4)));
        col[Column.Misc].write(u32(at + 8));
        break;
      case STRUCT: case UNION: {
        let prevBit = 0;
        for (let i = 0; i < vlen; i++, at += 12) {
          col[Column.MemberName].write(p.nameCode(u32(at)));
          col[Column.Ref].write(p.refCode(u32(at + 4)));
          const offset = u32(at + 8);
          const bit = kflag ? offset & 0xffffff : offset;
          if (kflag) col[Column.BitfieldSize].write(offset >>> 24);
          col[Column.MemberOffset].writeSigned(bit - prevBit);
          prevBit = bit;
        }
        break;
      }
      case ENUM:
        for (let i = 0; i < vlen; i++, at += 8) {
          col[Column.MemberName].write(p.nameCode(u32(at)));
          col[Column.Misc].writeSigned(view.getInt32(at + 4, true));
        }
        break;
      case ENUM64:
        for (let i = 0; i < vlen; i++, at += 12) {
          col[Column.MemberName].write(p.nameCode(u32(at)));
          col[Column.Misc].write(u32(at + 4));
          col[Column.Misc].write(u32(at + 8));
        }
        break;
      case FUNC_PROTO:
        for (let i = 0; i < vlen; i++, at += 8) {
          col[Column.MemberName].write(p.nameCode(u32(at)));
          col[Column.Ref].write(p.refCode(u32(at + 4)));
        }
        break;
      case DATASEC:
        for (let i = 0; i < vlen; i++, at += 12) {
          col[Column.Ref].write(p.refCode(u32(at)));
          col[Column.Misc].write(u32(at + 4));
          col[Column.Misc].write(u32(at + 8));
        }
        break;
    }
    pos = end;
    count++;
  }
  return writeColumns(col, count);
}

/**
 * The BTF type section back from its columns, byte for byte.
 * @throws Error when the columns are malformed (truncated, inconsistent).
 */
export function columnsToBtfTypes(columns: Uint8Array): Uint8Array {
  const head = new VarintReader(columns);
  const count = head.read();
  const lengths = Array.from({ length: Column.Count }, () => head.read());
  let at = columns.length - lengths.reduce((a, b) => a + b, 0);
  if (at < 0) throw new Error("BTF columns truncated");
  const col = lengths.map((n) => {
    const reader = new VarintReader(columns.subarray(at, at + n));
    at += n;
    return reader;
  });
  const p = new Predictor();
  const out: number[] = [];
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  for (let n = 0; n < count; n++) {
    const kindByte = col[Column.Kind].read();
    const kind = kindByte & 0x1f, kflag = kindByte >>> 7;
    const vlen = col[Column.Vlen].read();
    trailerSize(kind, vlen); // rejects unknown kinds
    u32(p.nameFrom(col[Column.TypeName].read()));
    u32(((kflag << 31) | (kind << 24) | vlen) >>> 0);
    if (SIZED.has(kind)) u32(col[Column.Size].read());
    else if (UNUSED_ZERO.has(kind)) u32(0);
    else u32(p.refFrom(col[Column.Ref].read()));
    switch (kind) {
      case INT: case VAR: case DECL_TAG:
        u32(col[Column.Misc].read());
        break;
      case ARRAY:
        u32(p.refFrom(col[Column.Ref].read()));
        u32(p.refFrom(col[Column.Ref].read()));
        u32(col[Column.Misc].read());
        break;
      case STRUCT: case UNION: {
        let prevBit = 0;
        for (let i = 0; i < vlen; i++) {
          u32(p.nameFrom(col[Column.MemberName].read()));
          u32(p.refFrom(col[Column.Ref].read()));
          const size = kflag ? col[Column.BitfieldSize].read() : 0;
          const bit = prevBit + col[Column.MemberOffset].readSigned();
          u32(kflag ? ((size << 24) | bit) >>> 0 : bit);
          prevBit = bit;
        }
        break;
      }
      case ENUM:
        for (let i = 0; i < vlen; i++) {
          u32(p.nameFrom(col[Column.MemberName].read()));
          u32(col[Column.Misc].readSigned());
        }
        break;
      case ENUM64:
        for (let i = 0; i < vlen; i++) {
          u32(p.nameFrom(col[Column.MemberName].read()));
          u32(col[Column.Misc].read());
          u32(col[Column.Misc].read());
        }
        break;
      case FUNC_PROTO:
        for (let i = 0; i < vlen; i++) {
          u32(p.nameFrom(col[Column.MemberName].read()));
          u32(p.refFrom(col[Column.Ref].read()));
        }
        break;
      case DATASEC:
        for (let i = 0; i < vlen; i++) {
          u32(p.refFrom(col[Column.Ref].read()));
          u32(col[Column.Misc].read());
          u32(col[Column.Misc].read());
        }
        break;
    }
  }
  if (!col.every((c) => c.done)) throw new Error("BTF columns hold more than their types");
  return Uint8Array.from(out);
}

/**
 * Parses the raw `.BTF` blob (header, type section, string section) into `BtfType`s.
 * Every read is bounds-checked; every type id a type refers to is checked to exist.
 */
import type { Elf } from "../elf.ts";
import { BtfError } from "../errors.ts";
import { Btf } from "./btf.ts";
import type { BtfEnumValue, BtfKind, BtfMember, BtfParam, BtfType, BtfVarSecInfo } from "./types.ts";

const BTF_MAGIC = 0xeb9f;
const HEADER_MIN = 24;

/** Kind numbers as in linux/btf.h; index = BTF_KIND_* value. */
const KINDS: readonly BtfKind[] = [
  "void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef", "volatile",
  "const", "restrict", "func", "func_proto", "var", "datasec", "float", "decl_tag",
  "type_tag", "enum64",
];

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Parses a raw BTF blob (the contents of an ELF `.BTF` section or `/sys/kernel/btf/vmlinux`).
 *
 * @throws BtfError when the header, a type record or a string reference is malformed.
 * @example
 *   const btf = parseBtf(elf.section(".BTF")!.data);
 */
export function parseBtf(data: Uint8Array): Btf {
  if (data.length < HEADER_MIN) throw new BtfError(`truncated BTF: header needs ${HEADER_MIN} bytes, got ${data.length}`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic === 0x9feb) throw new BtfError("unsupported BTF: big-endian");
  if (magic !== BTF_MAGIC) throw new BtfError(`not BTF: bad magic 0x${magic.toString(16)}`);
  const version = dv.getUint8(2);
  if (version !== 1) throw new BtfError(`unsupported BTF version ${version}`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < HEADER_MIN || hdrLen > data.length) {
    throw new BtfError(`bad BTF: header length ${hdrLen} (blob size ${data.length})`);
  }
  const typeOff = hdrLen + dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strOff = hdrLen + dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  if (typeOff + typeLen > data.length) {
    throw new BtfError(`truncated BTF: type section at ${typeOff}+${typeLen} beyond blob size ${data.length}`);
  }
  if (strOff + strLen > data.length) {
    throw new BtfError(`truncated BTF: string section at ${strOff}+${strLen} beyond blob size ${data.length}`);
  }
  const strings = data.subarray(strOff, strOff + strLen);
  if (strLen > 0 && (strings[0] !== 0 || strings[strLen - 1] !== 0)) {
    throw new BtfError("bad BTF: string section must start and end with NUL");
  }
  const reader = new TypeReader(dv, typeOff, typeOff + typeLen, strings);
  const types: BtfType[] = [{ kind: "void", id: 0, name: "" }];
  while (reader.pos < reader.end) types.push(reader.next(types.length));
  checkReferences(types);
  return new Btf(types);
}

/**
 * Finds and parses the `.BTF` section of an ELF object.
 *
 * @throws BtfError when the object has no `.BTF` section or it is malformed.
 */
export function btfFromElf(elf: Elf): Btf {
  const sec = elf.section(".BTF");
  if (!sec) throw new BtfError("object has no .BTF section (compile with clang -g)");
  return parseBtf(sec.data);
}

/** Sequential reader of type records; `pos` advances past each record. */
class TypeReader {
  pos: number;
  constructor(private dv: DataView, start: number, readonly end: number, private strings: Uint8Array) {
    this.pos = start;
  }

  private u32(id: number): number {
    if (this.pos + 4 > this.end) throw new BtfError(`truncated BTF: type ${id} runs past the type section end`);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private str(off: number, id: number): string {
    if (off === 0) return "";
    if (off >= this.strings.length) throw new BtfError(`bad BTF: type ${id} name offset ${off} beyond string section size ${this.strings.length}`);
    const end = this.strings.indexOf(0, off);
    return utf8.decode(this.strings.subarray(off, end));
  }

  next(id: number): BtfType {
    const nameOff = this.u32(id);
    const info = this.u32(id);
    const sizeOrType = this.u32(id);
    const vlen = info & 0xffff;
    const kindNo = (info >>> 24) & 0x1f;
    const kflag = (info >>> 31) === 1;
    const kind = KINDS[kindNo];
    if (kind === undefined || kind === "void") throw new BtfError(`bad BTF: type ${id} has unknown kind ${kindNo}`);
    const name = this.str(nameOff, id);
    switch (kind) {
      case "int": {
        const enc = this.u32(id);
        const bits = enc & 0xff;
        const bitOffset = (enc >>> 16) & 0xff;
        const encoding = (enc >>> 24) & 0x0f;
        if (![1, 2, 4, 8, 16].includes(sizeOrType) || bits === 0 || bitOffset + bits > sizeOrType * 8) {
          throw new BtfError(`bad BTF: int type ${id} '${name}' has size ${sizeOrType}, ${bits} bits at offset ${bitOffset}`);
        }
        return { kind, id, name, size: sizeOrType, signed: (encoding & 1) !== 0, char: (encoding & 2) !== 0, bool: (encoding & 4) !== 0, bits, bitOffset };
      }
      case "ptr": case "typedef": case "volatile": case "const": case "restrict": case "type_tag":
        return { kind, id, name, typeId: sizeOrType };
      case "array": {
        const elemTypeId = this.u32(id);
        const indexTypeId = this.u32(id);
        const length = this.u32(id);
        return { kind, id, name, elemTypeId, indexTypeId, length };
      }
      case "struct": case "union": {
        const members: BtfMember[] = [];
        for (let i = 0; i < vlen; i++) {
          const mName = this.str(this.u32(id), id);
          const typeId = this.u32(id);
          const off = this.u32(id);
          // With kind_flag set, the offset word packs the bitfield size in its top byte.
          members.push(kflag
            ? { name: mName, typeId, bitOffset: off & 0xffffff, bitSize: off >>> 24 }
            : { name: mName, typeId, bitOffset: off, bitSize: 0 });
        }
        return { kind, id, name, size: sizeOrType, members };
      }
      case "enum": {
        const values: BtfEnumValue[] = [];
        for (let i = 0; i < vlen; i++) {
          const vName = this.str(this.u32(id), id);
          const raw = this.u32(id);
          values.push({ name: vName, value: kflag ? BigInt(raw | 0) : BigInt(raw) });
        }
        return { kind, id, name, size: sizeOrType, signed: kflag, values };
      }
      case "enum64": {
        const values: BtfEnumValue[] = [];
        for (let i = 0; i < vlen; i++) {
          const vName = this.str(this.u32(id), id);
          const lo = BigInt(this.u32(id));
          const hi = BigInt(this.u32(id));
          const u = (hi << 32n) | lo;
          values.push({ name: vName, value: kflag ? BigInt.asIntN(64, u) : u });
        }
        return { kind, id, name, size: sizeOrType, signed: kflag, values };
      }
      case "fwd":
        return { kind, id, name, union: kflag };
      case "func":
        return { kind, id, name, typeId: sizeOrType, linkage: vlen };
      case "func_proto": {
        const params: BtfParam[] = [];
        for (let i = 0; i < vlen; i++) {
          const pName = this.str(this.u32(id), id);
          params.push({ name: pName, typeId: this.u32(id) });
        }
        return { kind, id, name, returnTypeId: sizeOrType, params };
      }
      case "var":
        return { kind, id, name, typeId: sizeOrType, linkage: this.u32(id) };
      case "datasec": {
        const vars: BtfVarSecInfo[] = [];
        for (let i = 0; i < vlen; i++) {
          const typeId = this.u32(id);
          const offset = this.u32(id);
          vars.push({ typeId, offset, size: this.u32(id) });
        }
        return { kind, id, name, size: sizeOrType, vars };
      }
      case "float":
        return { kind, id, name, size: sizeOrType };
      case "decl_tag":
        return { kind, id, name, typeId: sizeOrType, componentIdx: this.u32(id) | 0 };
      default: {
        const never: never = kind;
        throw new BtfError(`bad BTF: unhandled kind ${String(never)}`);
      }
    }
  }
}

/** Every type id a type refers to must exist; later code can then index without checks. */
function checkReferences(types: BtfType[]): void {
  const n = types.length;
  const check = (from: BtfType, ref: number, what: string): void => {
    if (ref >= n) throw new BtfError(`bad BTF: type ${from.id} ${what} refers to type ${ref}, but only ${n} types exist`);
  };
  for (const t of types) {
    switch (t.kind) {
      case "void": case "int": case "enum": case "enum64": case "fwd": case "float":
        break;
      case "ptr": case "typedef": case "volatile": case "const": case "restrict": case "type_tag":
      case "func": case "var": case "decl_tag":
        check(t, t.typeId, "target");
        break;
      case "array":
        check(t, t.elemTypeId, "element");
        check(t, t.indexTypeId, "index");
        break;
      case "struct": case "union":
        for (const m of t.members) check(t, m.typeId, `member '${m.name}'`);
        break;
      case "func_proto":
        check(t, t.returnTypeId, "return");
        for (const p of t.params) check(t, p.typeId, `parameter '${p.name}'`);
        break;
      case "datasec":
        for (const v of t.vars) check(t, v.typeId, "variable");
        break;
      default: {
        const never: never = t;
        throw new BtfError(`bad BTF: unhandled type ${String(never)}`);
      }
    }
  }
}

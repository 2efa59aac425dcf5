/**
 * `encodeValue`: the bytes a command-line value becomes when written into a
 * `const volatile` global of a given BTF type (little-endian, range-checked).
 */
import type { Btf } from "../btf/btf.ts";
import { EncodeError } from "../errors.ts";
import { parseBool, parseFloatValue, parseInteger } from "./parse-scalar.ts";

const FLOAT32_MAX = 3.4028234663852886e38;

/** Quotes a value for an error message, shortened so the message stays one line. */
function show(v: string | number | bigint | boolean): string {
  const s = typeof v === "string" ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : String(v);
  return typeof v === "bigint" ? `${s}n` : s;
}

function writeInt(out: Uint8Array, n: bigint): void {
  let u = BigInt.asUintN(out.length * 8, n);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
}

/**
 * Encodes `value` as BTF type `typeId` (a type, or a VAR whose type is used).
 * Integers of every width take numbers, bigints or decimal/0x strings and are range-checked;
 * floats are written little-endian; bool takes true/false/1/0; `char[N]` takes a string of
 * at most N-1 UTF-8 bytes (NUL-padded); enums take an enumerator name or a number.
 *
 * @throws EncodeError naming the type and the bad value.
 * @example
 *   encodeValue(btf, varTypeId, "4294967295"); // Uint8Array [255, 255, 255, 255] for unsigned int
 */
export function encodeValue(btf: Btf, typeId: number, value: string | number | bigint | boolean): Uint8Array {
  const top = btf.get(typeId);
  const id = top.kind === "var" ? top.typeId : typeId;
  const t = btf.resolve(id);
  const name = btf.typeName(id, { qualifiers: false });
  const fail = (why: string): never => {
    throw new EncodeError(`cannot encode ${show(value)} as ${name}: ${why}`);
  };
  switch (t.kind) {
    case "int": {
      const out = new Uint8Array(t.size);
      if (t.bool) {
        const b = parseBool(value);
        if (b === undefined) return fail("expected true or false");
        out[0] = b ? 1 : 0;
        return out;
      }
      const n = parseInteger(value) ?? fail("not an integer (decimal or 0x hex)");
      checkRange(n, t.bits, t.signed, fail);
      writeInt(out, n);
      return out;
    }
    case "enum": case "enum64": {
      const out = new Uint8Array(t.size);
      const named = typeof value === "string" ? t.values.find((v) => v.name === value) : undefined;
      const n = named?.value ?? parseInteger(value) ?? fail(`not one of ${t.values.map((v) => v.name).join(", ")} or an integer`);
      // C enums may hold either signed or unsigned values of their width.
      const bits = t.size * 8;
      if (n < -(1n << BigInt(bits - 1)) || n >= 1n << BigInt(bits)) fail(`out of range for a ${t.size}-byte enum`);
      writeInt(out, n);
      return out;
    }
    case "float": {
      const f = parseFloatValue(value) ?? fail("not a number");
      const out = new Uint8Array(t.size);
      const dv = new DataView(out.buffer);
      if (t.size === 4) {
        if (Number.isFinite(f) && Math.abs(f) > FLOAT32_MAX) fail("out of range for float");
        dv.setFloat32(0, f, true);
      } else if (t.size === 8) {
        dv.setFloat64(0, f, true);
      } else {
        fail(`${t.size}-byte floats are not supported`);
      }
      return out;
    }
    case "array": {
      if (!isChar(btf, t.elemTypeId)) return fail("only char arrays take a value");
      if (typeof value !== "string") return fail("expected a string");
      const bytes = new TextEncoder().encode(value);
      if (bytes.length > t.length - 1) fail(`${bytes.length} bytes, at most ${Math.max(0, t.length - 1)} fit`);
      const out = new Uint8Array(t.length);
      out.set(bytes);
      return out;
    }
    case "void": case "ptr": case "struct": case "union": case "fwd": case "func": case "func_proto":
    case "var": case "datasec": case "decl_tag": case "typedef": case "volatile": case "const":
    case "restrict": case "type_tag":
      return fail(`no command-line form for ${t.kind} types`);
    default: {
      const never: never = t;
      throw new EncodeError(`unhandled BTF type ${String(never)}`);
    }
  }
}

function checkRange(n: bigint, bits: number, signed: boolean, fail: (why: string) => never): void {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (n < lo || n > hi) fail(`out of range ${lo}..${hi}`);
}

function isChar(btf: Btf, id: number): boolean {
  const t = btf.resolve(id);
  return t.kind === "int" && t.size === 1 && !t.bool;
}

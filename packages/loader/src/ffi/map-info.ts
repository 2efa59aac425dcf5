/**
 * Reads `struct bpf_map_info` for a map file descriptor.
 */
import { LibbpfError } from "../errors.ts";
import { libbpf, libbpfOptional } from "./libbpf.ts";

/** What the kernel reports about a map (the leading fields of `struct bpf_map_info`). */
export interface MapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

// type, id, key_size, value_size, max_entries, map_flags (u32 each) then char name[16].
const INFO_BYTES = 40;

/** Kernel facts about map `fd`. Throws {@link LibbpfError} (e.g. EBADF, EINVAL for a non-map fd). */
export function mapInfoByFd(fd: number): MapInfo {
  const info = new Uint8Array(INFO_BYTES);
  const length = new Uint32Array([INFO_BYTES]);
  const getInfo = libbpfOptional().bpf_map_get_info_by_fd ?? libbpf().bpf_obj_get_info_by_fd;
  const rc = getInfo(fd, info, length);
  if (rc < 0) throw new LibbpfError(`map info of fd ${fd}`, -rc);
  const words = new DataView(info.buffer);
  const nameBytes = info.subarray(24, 40);
  const end = nameBytes.indexOf(0);
  return {
    type: words.getUint32(0, true),
    id: words.getUint32(4, true),
    keySize: words.getUint32(8, true),
    valueSize: words.getUint32(12, true),
    maxEntries: words.getUint32(16, true),
    flags: words.getUint32(20, true),
    name: new TextDecoder().decode(nameBytes.subarray(0, end < 0 ? 16 : end)),
  };
}

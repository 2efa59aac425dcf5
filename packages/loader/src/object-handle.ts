/**
 * The native state behind a BpfObject: the libbpf object and the links attached from
 * it. Kept apart from the class so a FinalizationRegistry can release it as a backstop
 * when a caller forgets close().
 */
import type { Detacher } from "./attach/attach-program.ts";
import { libbpf } from "./ffi/libbpf.ts";
import type { NativePointer } from "./ffi/memory.ts";

/** Native resources of one opened object. */
export interface ObjectHandle {
  /** `struct bpf_object *`, null once closed. */
  object: NativePointer | null;
  /**
   * One undo per attachment (bpf_link destroy, TC filter removal, netlink XDP detach),
   * in attach order; run newest first.
   */
  detachers: Detacher[];
}

/** Detaches every attachment (newest first), then closes the object. Idempotent. */
export function releaseHandle(handle: ObjectHandle): void {
  const lib = libbpf();
  const detachers = handle.detachers.splice(0).reverse();
  for (const detach of detachers) {
    try {
      detach();
    } catch {
      // Keep releasing: one failed detach must not leak the rest.
    }
  }
  if (handle.object !== null) {
    const object = handle.object;
    handle.object = null;
    lib.bpf_object__close(object);
  }
}

/** Releases handles whose BpfObject was garbage-collected without close(). */
export const handleBackstop = new FinalizationRegistry<ObjectHandle>(releaseHandle);

import { describe, expect, test } from "bun:test";
import { BPF_TC_EGRESS, BPF_TC_INGRESS, type PackageMeta } from "@eunomia/loader";
import { attachOptions, parseCpuFlag, takeAttachFlag, type AttachFlags } from "./attach-flags.ts";
import { UsageError } from "./cli-error.ts";

function meta(progs: PackageMeta["bpf_skel"]["progs"]): PackageMeta {
  return { bpf_skel: { obj_name: "x", data_sections: [], maps: [], progs }, export_types: [], eunomia_version: "0.3.0" } as PackageMeta;
}

describe("attach flags", () => {
  test("each flag, spaced or with =, and how many arguments it took", () => {
    const flags: AttachFlags = {};
    const argv = ["--ifindex", "3", "--tc-attach=egress", "--uprobe-binary", "/bin/x", "--uprobe-func=f", "--pid", "42", "--freq", "99", "--cpus", "0,2-3", "--xdp-flags", "2", "--iface=lo", "--other"];
    const taken: number[] = [];
    for (let i = 0; i < argv.length;) {
      const n = takeAttachFlag(argv, i, flags);
      taken.push(n);
      i += n || 1;
    }
    expect(taken).toEqual([2, 1, 2, 1, 2, 2, 2, 2, 1, 0]);
    expect(flags).toEqual({ ifindex: 3, tcAttach: "egress", uprobeBinary: "/bin/x", uprobeFunc: "f", pid: 42, freq: 99, cpus: [0, 2, 3], xdpFlags: 2, iface: "lo" });
  });

  test("bad values are usage errors with one clear line", () => {
    const bad = (argv: string[]) => {
      try {
        takeAttachFlag(argv, 0, {});
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error("expected a UsageError");
    };
    expect(bad(["--ifindex", "0"])).toBe('--ifindex takes an integer of at least 1, not "0"');
    expect(bad(["--pid", "x"])).toBe('--pid takes an integer of at least 1, not "x"');
    expect(bad(["--tc-attach", "up"])).toBe('--tc-attach takes ingress or egress, not "up"');
    expect(bad(["--uprobe-func"])).toBe("--uprobe-func takes a value");
    expect(() => parseCpuFlag("1-0")).toThrow('--cpus takes a list such as 0,2-3, not "1-0"');
  });

  test("the package's xdp and tc fields are used; flags win over them", () => {
    const m = meta([
      { name: "x", attach: "xdp", link: true, ifindex: 5, flags: 2 },
      { name: "t", attach: "tc", link: true, tchook: { ifindex: 6, attach_point: "BPF_TC_EGRESS" }, tcopts: { handle: 1, priority: 1 } },
    ]);
    expect(attachOptions({}, m).programs).toEqual({
      x: { xdp: { ifindex: 5, flags: 2 } },
      t: { tc: { ifindex: 6, attachPoint: BPF_TC_EGRESS, handle: 1, priority: 1 } },
    });
    const flagged = attachOptions({ ifindex: 9, tcAttach: "ingress", xdpFlags: 0 }, m).programs!;
    expect(flagged.x.xdp).toEqual({ ifindex: 9, flags: 0 });
    expect(flagged.t.tc).toEqual({ ifindex: 9, attachPoint: BPF_TC_INGRESS, handle: 1, priority: 1 });
    expect(attachOptions({ iface: "lo" }, m).programs!.x.xdp!.ifindex).toBe(1);
  });
});

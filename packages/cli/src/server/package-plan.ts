/**
 * A package upload checked and prepared before anything reaches libbpf: the package
 * validated (metadata, object size, BTF), its program flags parsed by the same code as
 * `ecli run`'s, and its attach options resolved.
 */
import { btfFromElf, parseElf, type Btf, type Elf } from "@eunomia/decoder";
import type { AttachOptions } from "@eunomia/loader";
import type { Package } from "@eunomia/loader/package";
import { attachOptions, takeAttachFlag, type AttachFlags } from "../attach-flags.ts";
import { UsageError } from "../cli-error.ts";
import type { OutputMode } from "../event-output.ts";
import { parseProgramArgs, programFlags, type SectionWrite } from "../program-flags.ts";
import { ApiError } from "./api-error.ts";
import type { TaskRequest } from "./task-runner.ts";

/** Everything a package runner needs, validated. */
export interface PackagePlan {
  pkg: Package;
  elf: Elf;
  btf: Btf;
  writes: SectionWrite[];
  attach: AttachOptions;
  mode: OutputMode;
}

function parseAttachArgs(argv: string[]): AttachFlags {
  const flags: AttachFlags = {};
  for (let i = 0; i < argv.length; ) {
    const taken = argv[i].startsWith("--") ? takeAttachFlag(argv, i, flags) : 0;
    if (taken === 0) throw new UsageError(`unknown attach option ${argv[i]}`);
    i += taken;
  }
  return flags;
}

/**
 * Prepares a validated package for running as `request` asks.
 * @throws ApiError 422 when the object's BTF is unreadable, 400 for a bad flag or attach option.
 */
export function planPackage(pkg: Package, request: TaskRequest): PackagePlan {
  let elf: Elf;
  let btf: Btf;
  try {
    elf = parseElf(pkg.object);
    btf = btfFromElf(elf);
  } catch (err) {
    throw new ApiError(422, `the package's object is unusable: ${(err as Error).message.split("\n")[0]}`);
  }
  let flags: ReturnType<typeof programFlags>;
  try {
    flags = programFlags(pkg.meta, elf, btf);
  } catch (err) {
    throw new ApiError(422, (err as Error).message.split("\n")[0]);
  }
  try {
    const parsed = parseProgramArgs(request.args, flags, btf);
    if (parsed.help) throw new UsageError("-h is not a program flag here (ecli run <package> -h prints them)");
    const attach = attachOptions(parseAttachArgs(request.attachArgs), pkg.meta);
    return { pkg, elf, btf, writes: parsed.writes, attach, mode: request.mode };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, (err as Error).message.split("\n")[0]);
  }
}

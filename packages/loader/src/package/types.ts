/**
 * The package format (DESIGN.md section 3), as TypeScript types. The JSON form is
 * byte-compatible with packages made by the original eunomia-bpf compiler.
 */

export interface CmdArg { default?: unknown; long?: string; short?: string; help?: string }

export interface DataSectionVariable {
  name: string;
  /** C spelling of the type, e.g. "unsigned long long", "char[16]", "const volatile int" is written without qualifiers. */
  type: string;
  value?: unknown;
  description?: string;
  cmdarg?: CmdArg;
}

export interface DataSection { name: string; variables: DataSectionVariable[] }

export interface MapSample {
  interval: number;
  type: "log2_hist" | "linear_hist" | "default_kv";
  unit?: string;
  clear_map?: boolean;
  /** linear_hist only: the low bound of the first slot and the width of each slot. */
  base?: number;
  step?: number;
}

export type ExportConfig =
  | "no_export"
  | "default"
  | { btf_type_id: number }
  | { custom_members: { name: string; offset: number; btf_type_id: number }[] };

export type Interpreter = "default_struct" | { stack_trace: { field_map?: Record<string, string>; with_symbols?: boolean } };

export interface MapMeta {
  name: string;
  ident: string;
  mmaped?: boolean;
  sample?: MapSample;
  export_config?: ExportConfig;
  /** Spelled so in the original format. */
  intepreter?: Interpreter;
}

export interface ProgMeta {
  name: string;
  /** ELF section name, e.g. "tp/sched/sched_process_exec". */
  attach: string;
  link: boolean;
  [extra: string]: unknown;
}

export interface DocMeta { version?: string; brief?: string; details?: string; description?: string }

export interface BpfSkel {
  obj_name: string;
  data_sections: DataSection[];
  maps: MapMeta[] | null;
  progs: ProgMeta[] | null;
  doc?: DocMeta;
}

export interface ExportMember { name: string; type: string }
export interface ExportType { name: string; size: number; type_id: number; members: ExportMember[] }

export interface PackageMeta {
  bpf_skel: BpfSkel;
  export_types: ExportType[];
  eunomia_version: string;
  poll_timeout_ms?: number;
  enable_multiple_export_types?: boolean;
  [extra: string]: unknown;
}

/** The JSON form as stored on disk. */
export interface PackageJson {
  bpf_object: string;
  bpf_object_size: number;
  meta: PackageMeta;
  [extra: string]: unknown;
}

/** A package after validation: the ELF inflated and checked, the metadata typed. Inert: nothing touched the kernel. */
export interface Package {
  /** The uncompressed BPF ELF object. */
  object: Uint8Array;
  meta: PackageMeta;
}

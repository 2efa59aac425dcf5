import { describe, expect, test } from "bun:test";
import { ConfigError } from "./config-error.ts";
import { bucketBound, DEFAULT_MAX_SERIES, readConfig } from "./read-config.ts";

const SEED = `programs:
  - name: opensnoop
    compiled_ebpf_filename: examples/opensnoop/package.json
    metrics:
      counters:
        - name: eunomia_file_open_counter
          description: test
          labels:
            - name: pid
            - name: comm
            - name: filename
              from: fname
`;

/** The one-line error a config gets, or "ok". */
function errorOf(text: string): string {
  try {
    readConfig(text, "c.yaml");
    return "ok";
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
}

const mapCounter = (labels: string) => `programs:
  - name: p
    compiled_ebpf_filename: p.json
    metrics:
      counters:
        - name: m_total
          map: counts
          labels:
${labels}`;

describe("readConfig", () => {
  test("the original eunomia-exporter config: counters from events, labels from fields", () => {
    const config = readConfig(SEED, "c.yaml");
    expect(config.otlp).toBeUndefined();
    expect(config.programs).toHaveLength(1);
    const p = config.programs[0];
    expect(p.name).toBe("opensnoop");
    expect(p.source).toEqual({ kind: "file", path: "examples/opensnoop/package.json" });
    expect(p.counters).toEqual([{
      name: "eunomia_file_open_counter", help: "test", maxSeries: DEFAULT_MAX_SERIES, at: "c.yaml:6:11", source: "events",
      labels: [{ name: "pid", field: "pid" }, { name: "comm", field: "comm" }, { name: "filename", field: "fname" }],
    }]);
  });

  test("map metrics: labels sliced by size, histogram buckets, defaults, flags, inline and oci sources", () => {
    const config = readConfig(`
otlp: { endpoint: "http://127.0.0.1:4318/v1/metrics" }
programs:
  - name: a
    ebpf_data: '{"bpf_object": ""}'
    flags: { target_pid: 42, verbose: true, name: x }
    metrics:
      histograms:
        - name: lat_seconds
          map: lat
          bucket_type: exp2
          bucket_max: 3
          bucket_multiplier: 0.001
          max_series: 7
          labels:
            - { name: op, size: 4, decoders: [{ name: uint }] }
            - { name: bucket, size: 4, decoders: [{ name: uint }] }
        - name: sizes
          field: size
          bucket_type: linear
          bucket_min: 1
          bucket_max: 3
          bucket_multiplier: 10
  - name: b
    oci: 127.0.0.1:5000/b:v1
`, "c.yaml");
    expect(config.otlp).toEqual({ endpoint: "http://127.0.0.1:4318/v1/metrics", intervalMs: 10_000, headers: {} });
    const [a, b] = config.programs;
    expect(a.source).toEqual({ kind: "inline", data: '{"bpf_object": ""}' });
    expect(a.flags).toEqual({ target_pid: 42, verbose: true, name: "x" });
    const [lat, sizes] = a.histograms;
    expect(lat).toMatchObject({ source: "map", map: "lat", bucketType: "exp2", bucketMin: 0, bucketMax: 3, bucketMultiplier: 0.001, maxSeries: 7 });
    expect(lat.labels.map((l) => [l.name, "size" in l ? l.size : 0])).toEqual([["op", 4], ["bucket", 4]]);
    expect(sizes).toMatchObject({ source: "events", field: "size", buckets: [10, 20, 30], help: "sizes" });
    expect(b.source).toEqual({ kind: "oci", ref: "127.0.0.1:5000/b:v1" });
  });

  test("a counter with sized labels and no `map` reads the map named like the metric (ebpf_exporter)", () => {
    const config = readConfig(mapCounter("            - { name: cpu, size: 4, decoders: [{ name: uint }] }").replace("          map: counts\n", ""), "c.yaml");
    expect(config.programs[0].counters[0]).toMatchObject({ source: "map", map: "m_total" });
  });

  test("bucket bounds: exp2 and linear with a multiplier, without float noise", () => {
    expect([0, 1, 7, 26].map((i) => bucketBound("exp2", i, 0.000001))).toEqual([0.000001, 0.000002, 0.000128, 67.108864]);
    expect([0, 1, 5].map((i) => bucketBound("linear", i, 0.1))).toEqual([0, 0.1, 0.5]);
  });
});

describe("bad configs: one line naming the file, line and column", () => {
  test.each([
    ["YAML syntax", "programs:\n  - name: [x\n", /^c\.yaml:3:1: /],
    ["no programs key", "foo: 1\n", "c.yaml:1:1: unknown key `foo` in the document (known: programs, otlp)"],
    ["missing program source", "programs:\n  - name: p\n", 'c.yaml:2:5: program "p" needs exactly one of compiled_ebpf_filename, ebpf_data or oci (it has 0)'],
    ["two sources", "programs:\n  - name: p\n    oci: r/x:1\n    ebpf_data: '{}'\n", /c\.yaml:2:5: program "p" needs exactly one .* \(it has 2\)/],
    ["unknown decoder", mapCounter("            - name: x\n              size: 4\n              decoders:\n                - name: nope\n"), /^c\.yaml:12:17: unknown decoder "nope" \(decoders: uint, string, hex, ksym/],
    ["decoder options", mapCounter("            - name: x\n              size: 4\n              decoders: [{ name: regexp }]\n"), "c.yaml:11:25: regexp needs `regexps`: a list of regular expressions"],
    ["label size missing", mapCounter("            - name: x\n              size: 4\n            - name: y\n              decoders: [{ name: uint }]\n"), "c.yaml:11:15: programs[0].metrics.counters[0].labels[1] needs `size`"],
    ["bad metric name", SEED.replace("eunomia_file_open_counter", "open-counter"), 'c.yaml:6:17: metric name "open-counter" is not a valid Prometheus name'],
    ["a self-metric's name", SEED.replace("eunomia_file_open_counter", "ecli_exporter_events_total"), "c.yaml:6:17: metric names starting with ecli_exporter_ are the exporter's own (ecli_exporter_events_total)"],
    ["duplicate label", SEED.replace("name: comm", "name: pid"), "c.yaml:10:21: label pid appears twice"],
    ["typo in a key", SEED.replace("description:", "descripton:"), /^c\.yaml:7:11: unknown key `descripton` in programs\[0\]\.metrics\.counters\[0\]/],
    ["histogram without its field", SEED.replace("counters:", "histograms:"), "c.yaml:6:11: programs[0].metrics.histograms[0] needs `field`"],
    ["map histogram without bucket_type", mapCounter("            - { name: b, size: 4 }\n").replace("counters:", "histograms:"), "c.yaml:6:11: programs[0].metrics.histograms[0] needs `bucket_type`"],
    ["bucket type", mapCounter("            - { name: b, size: 4 }\n").replace("counters:", "histograms:").replace("map: counts", "map: counts\n          bucket_type: log10"), 'c.yaml:8:24: bucket_type must be exp2 or linear, not "log10"'],
    ["same metric twice", `${SEED}  - name: again\n    oci: r/x:1\n    metrics:\n      counters:\n        - name: eunomia_file_open_counter\n`, "c.yaml:17:11: metric eunomia_file_open_counter is already defined (by program opensnoop)"],
    ["same program twice", `${SEED}  - name: opensnoop\n    oci: r/x:1\n`, 'c.yaml:13:5: two programs are named "opensnoop"'],
    ["otlp endpoint", `${SEED}otlp: { endpoint: "127.0.0.1:4318" }\n`, 'c.yaml:13:19: otlp.endpoint must be an http(s) URL, not "127.0.0.1:4318"'],
    ["a flag that is a list", SEED.replace("    metrics:", "    flags: { a: [1] }\n    metrics:"), "c.yaml:4:17: flag a must be a number, string or boolean"],
  ])("%s", (_what, text, expected) => {
    const message = errorOf(text);
    if (typeof expected === "string") expect(message).toBe(expected);
    else expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
  });
});

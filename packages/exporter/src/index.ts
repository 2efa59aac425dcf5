/**
 * @module @eunomia/exporter
 *
 * eBPF packages to Prometheus and OpenTelemetry metrics from a YAML config (DESIGN.md
 * section 6): counters and histograms fed by events (the original eunomia-exporter),
 * and counters and histograms read from kernel maps at scrape time with key bytes
 * decoded into labels (the ebpf_exporter model). Prometheus text comes from prom-client;
 * OTLP push (`./otlp`) from the OpenTelemetry SDK, loaded only when asked for.
 *
 * @example
 * import { Exporter, readConfig, serveExporter } from "@eunomia/exporter";
 * const exporter = new Exporter();
 * await exporter.startAll(readConfig(await Bun.file("config.yaml").text(), "config.yaml"));
 * serveExporter(exporter, { hostname: "127.0.0.1", port: 8526 });
 */
export { ConfigError } from "./config/config-error.ts";
export type * from "./config/config-types.ts";
export { readConfig, readProgramConfig, DEFAULT_MAX_SERIES } from "./config/read-config.ts";
export { LABEL_DECODERS, compileChain, type DecoderSpec } from "./decoders/registry.ts";
export { DecoderConfigError, type DecodeStep, type LabelDecoder } from "./decoders/label-decoder.ts";
export { Exporter } from "./exporter.ts";
export { checkAgainstPackage, type ProgramSummary } from "./exported-program.ts";
export { openSource } from "./package-source.ts";
export { serveExporter, isLoopbackHost, type ServeOptions } from "./http-server.ts";

/**
 * @eunomia/exporter: packages to Prometheus / OpenTelemetry metrics from a YAML config
 * (DESIGN.md section 6). Only the package's place in the monorepo exists so far; the
 * exporter itself is issue 7.
 */
export {};

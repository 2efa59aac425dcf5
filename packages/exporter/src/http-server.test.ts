import { afterAll, describe, expect, test } from "bun:test";
import { Exporter } from "./exporter.ts";
import { isLoopbackHost, serveExporter } from "./http-server.ts";

const exporter = new Exporter();
const open = serveExporter(exporter, { hostname: "127.0.0.1", port: 0 });
const guarded = serveExporter(exporter, { hostname: "127.0.0.1", port: 0, token: "s3cret" });
afterAll(async () => {
  open.stop(true);
  guarded.stop(true);
  await exporter.close();
});

describe("the exporter's HTTP server (no programs: nothing touches the kernel)", () => {
  test("/metrics is Prometheus text with the self-metrics; /healthz is ok", async () => {
    const res = await fetch(`${open.url}metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain("# TYPE ecli_exporter_scrape_duration_seconds histogram");
    expect(text).toContain("# TYPE ecli_exporter_events_total counter");
    expect(await (await fetch(`${open.url}healthz`)).text()).toBe("ok\n");
  });

  test("the program API: list, bad requests as one-line JSON errors", async () => {
    expect(await (await fetch(`${open.url}list`)).json()).toEqual([]);
    const bad = await fetch(`${open.url}start`, { method: "POST", body: "name: p\n" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'start: request body:1:1: program "p" needs exactly one of compiled_ebpf_filename, ebpf_data or oci (it has 0)' });
    const stop = await fetch(`${open.url}stop`, { method: "POST", body: '{"id": "x"}' });
    expect(stop.status).toBe(400);
    expect((await fetch(`${open.url}stop?id=4`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${open.url}nope`)).status).toBe(404);
  });

  test("with a token, the program API needs it; /metrics does not", async () => {
    expect((await fetch(`${guarded.url}list`)).status).toBe(403);
    expect((await fetch(`${guarded.url}list`, { headers: { authorization: "Bearer wrong" } })).status).toBe(403);
    expect(await (await fetch(`${guarded.url}list`, { headers: { authorization: "Bearer s3cret" } })).json()).toEqual([]);
    expect((await fetch(`${guarded.url}metrics`)).status).toBe(200);
  });

  test("isLoopbackHost", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost"].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(["0.0.0.0", "10.0.0.1", "::", "example.com"].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});

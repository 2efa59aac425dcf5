/** docs/openapi.json and docs/api.md describe exactly the endpoints the server routes. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { endpoints } from "./routes.ts";

const DOCS = join(import.meta.dir, "../../../../docs");

interface OpenApi { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> }

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

describe("the API documents", () => {
  test("docs/openapi.json has exactly the server's endpoints, each answering 401 without the token", async () => {
    const spec = (await Bun.file(join(DOCS, "openapi.json")).json()) as OpenApi;
    const documented: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method)) continue;
        documented.push(`${method.toUpperCase()} ${path}`);
        expect(Object.keys(operation.responses ?? {})).toContain("401");
      }
    }
    expect(documented.sort()).toEqual(endpoints().sort());
  });

  test("docs/api.md names every endpoint", async () => {
    const text = await Bun.file(join(DOCS, "api.md")).text();
    for (const endpoint of endpoints()) expect(text).toContain(`\`${endpoint}\``);
  });
});

/**
 * Doc comments (`///`, `/** *\/`) of file-scope declarations, read from clang's JSON AST,
 * where clang attaches each one to the declaration after it as a `FullComment` node.
 * Commands follow the original eunomia-bpf conventions: `@sample {...}` and `@cmdarg
 * {...}` (unknown to clang, so they arrive as inline commands whose argument is the
 * text after them), and block commands such as `@brief`, `@details`, `@version`.
 */
import { isObject, LocationReplay, type Json } from "./clang-ast.ts";

/** One `@command` of a doc comment with the text that follows it. */
export interface DocCommand {
  /** The command name without "@" or "\\", e.g. "sample", "brief". */
  name: string;
  /** Its text: lines joined with "\n", each trimmed of blanks at both ends. */
  text: string;
  /** The line the command is on. */
  line: number;
}

/** A parsed doc comment. */
export interface DocComment {
  /** The text outside any command (the description): lines trimmed, joined with "\n". */
  text: string;
  /** Every command, in source order. */
  commands: DocCommand[];
  /** The comment's first line. */
  line: number;
}

/** A file-scope declaration and its doc comment. */
export interface DeclarationDoc {
  /** clang's node kind, e.g. "VarDecl", "FunctionDecl", "RecordDecl", "TypedefDecl". */
  kind: string;
  /** Its name; "" for an anonymous struct or union. */
  name: string;
  /** The file it is written in (where a macro that made it was used). */
  file: string;
  line: number;
  comment?: DocComment;
}

/** Text being gathered for the description or for one command, segment by segment. */
class Gatherer {
  private text = "";
  private lastLine = -1;

  add(segment: string, line: number): void {
    if (this.lastLine !== -1 && line !== this.lastLine) this.text += "\n";
    this.text += segment;
    this.lastLine = line;
  }

  result(): string {
    return this.text
      .split("\n")
      .map((l) => l.trim())
      .join("\n")
      .trim();
  }
}

type Node = { [key: string]: Json };

/**
 * Walks a FullComment, replaying clang's location state so every piece knows its line.
 * Paragraph text belongs to the description until an inline command (`@sample`) takes
 * the rest of the paragraph; a block command (`@brief`) takes its own paragraphs.
 */
class CommentReader {
  private readonly description = new Gatherer();
  private readonly commands: { name: string; line: number; text: Gatherer }[] = [];

  constructor(private readonly replay: LocationReplay) {}

  read(full: Node): DocComment {
    let line = 0;
    this.node(full, {
      loc: () => (line = this.replay.line),
      child: (c) => (c.kind === "ParagraphComment" ? this.paragraph(c, this.description) : this.block(c)),
    });
    return {
      text: this.description.result(),
      commands: this.commands.map((c) => ({ name: c.name, text: c.text.result(), line: c.line })),
      line,
    };
  }

  private paragraph(p: Node, into: Gatherer): void {
    let target = into;
    this.node(p, {
      child: (c) => {
        if (c.kind === "InlineCommandComment") this.node(c, { loc: () => (target = this.command(c)) });
        else this.node(c, { text: (t) => target.add(t, this.replay.line) });
      },
    });
  }

  /** A block command (`@brief ...`), a verbatim block or line, or anything else with text. */
  private block(b: Node): void {
    let target: Gatherer | undefined;
    const open = () => (target ??= typeof b.name === "string" ? this.command(b) : this.description);
    this.node(b, {
      loc: open,
      text: (t) => open().add(t, this.replay.line),
      child: (c) => {
        if (c.kind === "ParagraphComment") this.paragraph(c, open());
        else this.node(c, { text: (t) => open().add(t, this.replay.line) });
      },
    });
  }

  private command(node: Node): Gatherer {
    const text = new Gatherer();
    this.commands.push({ name: String(node.name), line: this.replay.line, text });
    return text;
  }

  /** Visits a node's keys in dump order (so the location state stays right). */
  private node(n: Node, on: { loc?: () => void; text?: (t: string) => void; child?: (c: Node) => void }): void {
    for (const [key, value] of Object.entries(n)) {
      if (key === "loc") {
        this.replay.location(value);
        on.loc?.();
      } else if (key === "inner" && Array.isArray(value)) {
        for (const c of value) if (isObject(c)) (on.child ?? ((x: Node) => this.node(x, {})))(c);
      } else if (key === "text" && typeof value === "string" && on.text) {
        on.text(value);
      } else {
        this.replay.walk(value);
      }
    }
  }
}

/**
 * Every file-scope declaration of the files `inFile` accepts, in source order, with its
 * doc comment when it has one. Declarations clang made implicitly are left out.
 *
 * @example
 *   declarationDocs(JSON.parse(dump), (f) => f === "/src/prog.bpf.c")
 *   // [{ kind: "RecordDecl", name: "", line: 12, comment: { text: "", commands: [{ name: "sample", text: '{"interval": 1000}', line: 11 }], line: 11 } },
 *   //  { kind: "VarDecl", name: "hists", line: 17 }, ...]
 */
export function declarationDocs(ast: unknown, inFile: (file: string) => boolean): DeclarationDoc[] {
  const root = ast as Json;
  if (!isObject(root) || !Array.isArray(root.inner)) return [];
  const replay = new LocationReplay();
  const out: DeclarationDoc[] = [];
  for (const decl of root.inner) {
    if (!isObject(decl)) continue;
    let file = "";
    let line = 0;
    let comment: DocComment | undefined;
    for (const [key, value] of Object.entries(decl)) {
      if (key === "loc") {
        file = replay.location(value);
        line = replay.line;
      } else if (key === "inner" && Array.isArray(value)) {
        for (const child of value) {
          if (isObject(child) && child.kind === "FullComment") comment = new CommentReader(replay).read(child);
          else replay.walk(child);
        }
      } else {
        replay.walk(value);
      }
    }
    if (decl.isImplicit === true || file === "" || !inFile(file)) continue;
    const doc: DeclarationDoc = { kind: String(decl.kind), name: typeof decl.name === "string" ? decl.name : "", file, line };
    if (comment) doc.comment = comment;
    out.push(doc);
  }
  return out;
}

/**
 * The doc comment of global variable `name`. For a map written as
 * `/// doc` + `struct { ... } name SEC(".maps");`, clang attaches the comment to the
 * anonymous struct, so the comment of an anonymous struct right before the variable
 * counts too (as in the original eunomia-bpf compiler).
 */
export function variableDoc(decls: readonly DeclarationDoc[], name: string): { decl: DeclarationDoc; comment?: DocComment } | undefined {
  const at = decls.findIndex((d) => d.kind === "VarDecl" && d.name === name);
  if (at < 0) return undefined;
  const decl = decls[at];
  if (decl.comment) return { decl, comment: decl.comment };
  const before = decls[at - 1];
  if (before && before.kind === "RecordDecl" && before.name === "" && before.file === decl.file && before.comment) {
    return { decl, comment: before.comment };
  }
  return { decl };
}

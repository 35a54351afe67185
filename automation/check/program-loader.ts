/**
 * Loading a user's Pulumi program inside a check worker: TypeScript is transpiled on require (no
 * type check, no source-map hooks on the hot path), `@pulumi/*` resolves to patchfleet's own copies
 * so the program talks to the same mock runtime, and a failure is reported at the line of the
 * user's source where it happened, mapped back through the transpiler's source map only then.
 */
import * as fs from "fs";
import Module from "module";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { ProgramFailure } from "./types";

/** Source maps of transpiled files, kept only to map an error's location. */
const sourceMaps = new Map<string, string>();

/** A syntax error in the program's TypeScript, located in its source. */
export class ProgramSyntaxError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "ProgramSyntaxError";
  }
}

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _extensions: Record<
    string,
    (module: { _compile(code: string, file: string): void }, file: string) => void
  >;
}

let installed = false;

/**
 * Installs the `.ts` require hook and the `@pulumi/*` redirection, once per worker process.
 * `ownModule` is a module of patchfleet's installation that `@pulumi/*` resolves from.
 */
export function installProgramHooks(ownModule: NodeModule): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  const resolve = internals._resolveFilename.bind(Module);
  // One runtime per process: a program that resolved its own @pulumi/pulumi would register its
  // resources with a runtime that has no mocks. Fall back to the program's copy only for packages
  // patchfleet does not ship.
  const ours = new Map<string, string | null>();
  internals._resolveFilename = (request, parent, isMain, options) => {
    if (request.startsWith("@pulumi/")) {
      let hit = ours.get(request);
      if (hit === undefined) {
        try {
          hit = resolve(request, ownModule, false);
        } catch {
          hit = null; // not one of ours
        }
        ours.set(request, hit);
      }
      if (hit !== null) return hit;
    }
    return resolve(request, parent, isMain, options);
  };
  let ts: typeof import("typescript") | undefined;
  internals._extensions[".ts"] = (module, file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ts ??= require("typescript") as typeof import("typescript");
    const source = fs.readFileSync(file, "utf8");
    const out = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: true,
      },
    });
    const problem = out.diagnostics?.find((d) => d.category === ts!.DiagnosticCategory.Error);
    if (problem && problem.file && problem.start !== undefined) {
      const pos = problem.file.getLineAndCharacterOfPosition(problem.start);
      const text = ts.flattenDiagnosticMessageText(problem.messageText, "\n");
      throw new ProgramSyntaxError(text, file, pos.line + 1, pos.character + 1);
    }
    if (out.sourceMapText) sourceMaps.set(file, out.sourceMapText);
    const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
    module._compile(code, file);
  };
}

/** The entry file of a program given as a directory (Pulumi.yaml `main`, index.ts, index.js). */
export function resolveProgramEntry(target: string): { entry: string; root: string } {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat)
    throw new Error("no such file or directory; pass a program directory or its entry file");
  if (stat.isFile()) return { entry: target, root: path.dirname(target) };
  let main = target;
  const pulumiYaml = ["Pulumi.yaml", "Pulumi.yml"]
    .map((f) => path.join(target, f))
    .find((f) => fs.existsSync(f));
  if (pulumiYaml) {
    let doc: unknown;
    try {
      doc = parseYaml(fs.readFileSync(pulumiYaml, "utf8"));
    } catch (err) {
      throw new Error(`${path.basename(pulumiYaml)} is not valid YAML: ${(err as Error).message}`);
    }
    const declared = (doc as { main?: unknown } | null)?.main;
    if (typeof declared === "string" && declared !== "") main = path.resolve(target, declared);
  }
  for (const candidate of [main, path.join(main, "index.ts"), path.join(main, "index.js")]) {
    const s = fs.statSync(candidate, { throwIfNoEntry: false });
    if (s?.isFile()) return { entry: candidate, root: target };
  }
  throw new Error(
    `${target} has no program entry: add index.ts (or index.js), or set "main" in Pulumi.yaml`,
  );
}

/** Runs the program's module the way the Pulumi Node.js host does, default-export function included. */
export async function runProgramModule(entry: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(entry) as { default?: unknown } | undefined;
  if (exported && typeof exported.default === "function") {
    await (exported.default as () => unknown)();
  }
}

const FRAME = /\(?((?:[A-Za-z]:)?[^():\s]+):(\d+):(\d+)\)?$/;

/**
 * Where in the user's program (files under `root`) `err` happened, mapped to the TypeScript source
 * and shown relative to `displayBase`.
 */
export function locateFailure(err: unknown, root: string, displayBase = root): ProgramFailure {
  if (err instanceof ProgramSyntaxError) {
    return {
      message: err.message,
      location: `${path.relative(displayBase, err.file)}:${err.line}:${err.column}`,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error && typeof err.stack === "string" ? err.stack : "";
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    const file = m[1];
    if (!file.startsWith(root + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) {
      continue;
    }
    let lineNo = Number(m[2]);
    let column = Number(m[3]);
    const map = sourceMaps.get(file);
    if (map) {
      const entry = new Module.SourceMap(JSON.parse(map)).findEntry(lineNo - 1, column - 1) as {
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalLine !== undefined && entry.originalColumn !== undefined) {
        lineNo = entry.originalLine + 1;
        column = entry.originalColumn + 1;
      }
    }
    return { message, location: `${path.relative(displayBase, file)}:${lineNo}:${column}` };
  }
  return { message };
}

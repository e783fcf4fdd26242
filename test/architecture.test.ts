// The layering of src/, checked on its import graph: modules -> ledger -> core -> db, a module reaches another only
// through its service.ts, src/ never depends on test code, and no import cycle (type-only imports count).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** An import of one file: its specifier as written, and the repository-relative file it resolves to. */
interface Edge { specifier: string; target: string }
/** Every src/ file (repository-relative, `/`-separated) with its relative imports; package imports are left out. */
type Graph = Map<string, Edge[]>;
interface Violation { rule: string; message: string }

/** Resolves `./x.js` (or `.ts`, or a folder with index.ts) against the importing file, as NodeNext does for .ts sources. */
function resolveSpecifier(from: string, specifier: string, exists: (file: string) => boolean): string {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [joined.replace(/\.js$/, '.ts'), joined, `${joined}.ts`, `${joined}/index.ts`];
  return candidates.find(exists) ?? candidates[0]!;
}

/** The module specifiers of a source text: `import`, `import type`, `export … from`, `import()` and `require()`. */
function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
}

function listSources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const child = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return listSources(child);
    return entry.name.endsWith('.ts') ? [child] : [];
  });
}

/** The real graph. Test files beside the code (`*.test.ts`) are test code, not part of src/'s layering. */
function loadGraph(): Graph {
  const files = listSources('src').filter((file) => !file.endsWith('.test.ts'));
  const known = new Set(files);
  const exists = (file: string) => known.has(file) || (!file.startsWith('src/') && existsSync(path.join(ROOT, file)));
  const graph: Graph = new Map();
  for (const file of files) {
    const imports = importSpecifiers(readFileSync(path.join(ROOT, file), 'utf8'));
    graph.set(file, imports.filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({ specifier, target: resolveSpecifier(file, specifier, exists) })));
  }
  return graph;
}

const under = (file: string, ...prefixes: string[]) => prefixes.some((prefix) => prefix.endsWith('.ts') ? file === prefix : file.startsWith(`${prefix}/`));
const describeEdge = (file: string, edge: Edge) => `${file} imports '${edge.specifier}' (${edge.target})`;

/** Every edge from a file under `from` to a file under one of `forbidden`. */
function forbiddenImports(graph: Graph, rule: string, from: string, forbidden: string[]): Violation[] {
  const found: Violation[] = [];
  for (const [file, edges] of graph) {
    if (!under(file, from)) continue;
    for (const edge of edges) {
      if (under(edge.target, ...forbidden)) found.push({ rule, message: describeEdge(file, edge) });
    }
  }
  return found;
}

const UPPER_LAYERS = ['src/webhooks', 'src/admin', 'src/checkout', 'src/dashboard', 'src/cli', 'src/app.ts', 'src/deps.ts', 'src/server.ts', 'src/main.ts'];

function coreViolations(graph: Graph): Violation[] {
  return forbiddenImports(graph, 'core', 'src/core', ['src/ledger', 'src/modules', ...UPPER_LAYERS]);
}

function ledgerViolations(graph: Graph): Violation[] {
  return forbiddenImports(graph, 'ledger', 'src/ledger', ['src/modules', ...UPPER_LAYERS]);
}

function testCodeViolations(graph: Graph): Violation[] {
  return forbiddenImports(graph, 'test code', 'src', ['test', 'bench']);
}

const moduleOf = (file: string) => /^src\/modules\/([^/]+)\//.exec(file)?.[1];

/**
 * A file of module A imports module B only through `src/modules/B/service.ts`. One allowance: a `schemas.ts` may import
 * B's `schemas.ts`, so that a TypeBox schema (a response shape, a shared field) is reused rather than copied; schemas
 * hold no behaviour, so this adds no reach into B's tables or logic.
 */
function moduleViolations(graph: Graph): Violation[] {
  const found: Violation[] = [];
  for (const [file, edges] of graph) {
    const own = moduleOf(file);
    if (own === undefined) continue;
    for (const edge of edges) {
      const other = moduleOf(edge.target);
      if (other === undefined || other === own) continue;
      const entry = edge.target.slice(`src/modules/${other}/`.length);
      if (entry === 'service.ts') continue;
      if (entry === 'schemas.ts' && path.posix.basename(file) === 'schemas.ts') continue;
      found.push({ rule: 'modules', message: `${describeEdge(file, edge)}: import module ${other} through src/modules/${other}/service.ts` });
    }
  }
  return found;
}

/** One cycle per strongly connected component of src/ files (Tarjan), each reported as its import path. */
function cycleViolations(graph: Graph): Violation[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const successors = (file: string) => (graph.get(file) ?? []).map((edge) => edge.target).filter((target) => graph.has(target));

  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of successors(file)) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = component.length === 1 && successors(file).includes(file);
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);

  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    // The shortest way back to start inside the component (breadth first) is the cycle reported.
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    while (queue.length > 0 && closing === undefined) {
      const file = queue.shift()!;
      for (const target of successors(file).filter((t) => members.has(t))) {
        if (target === start) {
          closing = file;
          break;
        }
        if (!cameFrom.has(target)) {
          cameFrom.set(target, file);
          queue.push(target);
        }
      }
    }
    const cycle = [start];
    for (let file = closing!; file !== start; file = cameFrom.get(file)!) cycle.splice(1, 0, file);
    cycle.push(start);
    return { rule: 'cycle', message: `${cycle.join(' -> ')} (${component.length} files in this cycle)` };
  });
}

const report = (violations: Violation[]) => violations.map((violation) => violation.message);

describe('the layering of src/', () => {
  const graph = loadGraph();

  it('reads the real source tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    const edges = [...graph.values()].reduce((sum, list) => sum + list.length, 0);
    expect(edges).toBeGreaterThan(graph.size);
  });

  it('counts every kind of import, type-only ones too', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B } from './b.js';",
      "export type { C } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "import 'fastify';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', 'fastify']);
    const exists = (file: string) => ['src/core/ids.ts', 'src/ledger/index.ts'].includes(file);
    expect(resolveSpecifier('src/core/money.ts', './ids.js', exists)).toBe('src/core/ids.ts');
    expect(resolveSpecifier('src/modules/orders/service.ts', '../../ledger/index.js', exists)).toBe('src/ledger/index.ts');
    expect(resolveSpecifier('src/modules/orders/service.ts', '../../ledger', exists)).toBe('src/ledger/index.ts');
  });

  it('reports each kind of violation on a synthetic graph', () => {
    const edge = (target: string): Edge => ({ specifier: `./${path.posix.basename(target).replace(/\.ts$/, '.js')}`, target });
    const synthetic: Graph = new Map([
      ['src/core/money.ts', [edge('src/ledger/journal.ts'), edge('src/core/errors.ts')]],
      ['src/core/errors.ts', [edge('src/modules/orders/service.ts')]],
      ['src/core/ids.ts', [edge('src/app.ts')]],
      ['src/ledger/journal.ts', [edge('src/core/errors.ts'), edge('src/webhooks/sender.ts')]],
      ['src/ledger/holds.ts', [edge('src/modules/orders/service.ts')]],
      ['src/modules/orders/service.ts', [edge('src/modules/payments/service.ts'), edge('src/modules/payments/rfi.ts')]],
      ['src/modules/orders/routes.ts', [edge('src/modules/payments/schemas.ts'), edge('src/modules/orders/service.ts')]],
      ['src/modules/orders/schemas.ts', [edge('src/modules/payments/schemas.ts')]],
      ['src/modules/payments/service.ts', [edge('src/modules/orders/service.ts')]],
      ['src/modules/payments/rfi.ts', []],
      ['src/modules/payments/schemas.ts', []],
      ['src/webhooks/sender.ts', [edge('test/support/app.ts'), edge('bench/support.ts')]],
      ['src/app.ts', []],
    ]);

    expect(report(coreViolations(synthetic))).toEqual([
      "src/core/money.ts imports './journal.js' (src/ledger/journal.ts)",
      "src/core/errors.ts imports './service.js' (src/modules/orders/service.ts)",
      "src/core/ids.ts imports './app.js' (src/app.ts)",
    ]);
    expect(report(ledgerViolations(synthetic))).toEqual([
      "src/ledger/journal.ts imports './sender.js' (src/webhooks/sender.ts)",
      "src/ledger/holds.ts imports './service.js' (src/modules/orders/service.ts)",
    ]);
    expect(report(moduleViolations(synthetic))).toEqual([
      "src/modules/orders/service.ts imports './rfi.js' (src/modules/payments/rfi.ts): import module payments through src/modules/payments/service.ts",
      "src/modules/orders/routes.ts imports './schemas.js' (src/modules/payments/schemas.ts): import module payments through src/modules/payments/service.ts",
    ]);
    expect(report(testCodeViolations(synthetic))).toEqual([
      "src/webhooks/sender.ts imports './app.js' (test/support/app.ts)",
      "src/webhooks/sender.ts imports './support.js' (bench/support.ts)",
    ]);
    // Reached from core/ but not returning there, the one cycle is the two services'.
    expect(report(cycleViolations(synthetic))).toEqual([
      'src/modules/orders/service.ts -> src/modules/payments/service.ts -> src/modules/orders/service.ts (2 files in this cycle)',
    ]);
    // A longer cycle is reported as its path, and a file importing itself is a cycle too.
    const ring: Graph = new Map([
      ['src/a.ts', [edge('src/b.ts')]],
      ['src/b.ts', [edge('src/c.ts'), edge('src/d.ts')]],
      ['src/c.ts', [edge('src/a.ts')]],
      ['src/d.ts', [edge('src/d.ts')]],
    ]);
    expect(report(cycleViolations(ring))).toEqual([
      'src/d.ts -> src/d.ts (1 files in this cycle)',
      'src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts (3 files in this cycle)',
    ]);
  });

  it('core/ imports no ledger, module, webhooks, admin, checkout, cli or app code', () => {
    expect(report(coreViolations(graph))).toEqual([]);
  });

  it('ledger/ imports no module, webhooks, admin, checkout, cli or app code', () => {
    expect(report(ledgerViolations(graph))).toEqual([]);
  });

  it('a module imports another module only through its service.ts (schemas.ts may import schemas.ts)', () => {
    expect(report(moduleViolations(graph))).toEqual([]);
  });

  it('src/ imports nothing from test/ or bench/', () => {
    expect(report(testCodeViolations(graph))).toEqual([]);
  });

  it('src/ has no import cycle', () => {
    expect(report(cycleViolations(graph))).toEqual([]);
  });
});

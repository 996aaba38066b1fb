/**
 * A JSON value as JavaScript source in which every part that repeats (an object, an array or a
 * string met more than once, and long enough for a reference to be shorter) is a `const`
 * declared once and referenced wherever it occurs: the generated runtime metadata's parameters,
 * schemas, security lists and error kinds are written once. A minifier gives the consts
 * one-letter names, so a repeat costs a byte or two instead of its whole text.
 *
 * The value read back is equal to the input (JSON.stringify of both is the same); parts that
 * were equal become the same object, so the runtime must not mutate them (it never does).
 */

interface Node {
  /** `#n`: the same for equal subtrees (a subtree's key names its children by id). */
  readonly id: string;
  readonly kids: Node[];
  /** JSON leaf text, or how to join the children: object keys in order (null for an array). */
  readonly leaf: string | null;
  readonly keys: string[] | null;
  refs: number;
  name?: string;
  text?: string;
}

/** A ref costs about two characters once minified; a declaration about six plus its text. */
const worthSharing = (text: string, refs: number) => refs >= 2 && (refs - 1) * text.length > 2 * refs + 6;

export interface SharedLiteral {
  /** `const _0 = …;` lines, each after the ones it references. */
  readonly declarations: string[];
  /** The value itself, referencing the consts (its top-level entries one per line). */
  readonly expression: string;
}

/** `value` (plain JSON: objects, arrays, strings, finite numbers, booleans, null) as shared JS source. */
export function sharedLiteral(value: unknown, prefix = "_"): SharedLiteral {
  const nodes = new Map<string, Node>();
  const intern = (v: unknown): Node => {
    let kids: Node[] = [];
    let leaf: string | null = null;
    let keys: string[] | null = null;
    let key: string;
    if (Array.isArray(v)) {
      kids = v.map(intern);
      key = `[${kids.map((k) => k.id).join(",")}]`;
    } else if (v !== null && typeof v === "object") {
      keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
      kids = keys.map((k) => intern((v as Record<string, unknown>)[k]));
      key = `{${keys.map((k, i) => `${JSON.stringify(k)}:${kids[i]!.id}`).join(",")}}`;
    } else {
      if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`not a JSON value: ${v}`);
      if (v !== null && !["string", "number", "boolean"].includes(typeof v)) throw new Error(`not a JSON value: ${String(v)}`);
      leaf = JSON.stringify(v);
      key = leaf;
    }
    let node = nodes.get(key);
    if (!node) nodes.set(key, (node = { id: `#${nodes.size}`, kids, leaf, keys, refs: 0 }));
    return node;
  };
  const root = intern(value);

  // References between distinct nodes (a repeated parent counts its children once).
  const seen = new Set<Node>();
  const order: Node[] = [];
  const visit = (n: Node) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const k of n.kids) {
      k.refs++;
      visit(k);
    }
    order.push(n); // children first
  };
  visit(root);

  const declarations: string[] = [];
  const ref = (n: Node) => n.name ?? n.text!;
  // A literal `"__proto__": v` would set the prototype; the computed form makes an own property, as JSON.parse does.
  const prop = (k: string) => (k === "__proto__" ? `["__proto__"]` : JSON.stringify(k));
  for (const n of order) {
    n.text =
      n.leaf ??
      (n.keys ? `{${n.keys.map((k, i) => `${prop(k)}: ${ref(n.kids[i]!)}`).join(", ")}}` : `[${n.kids.map(ref).join(", ")}]`);
    if (n !== root && (n.leaf === null || typeof JSON.parse(n.leaf) === "string") && worthSharing(n.text, n.refs)) {
      n.name = `${prefix}${declarations.length}`;
      declarations.push(`const ${n.name} = ${n.text} as const;`);
    }
  }
  // The top level one entry per line, and the entries of its arrays too (the operations).
  const entry = (n: Node): string => (n.name || n.leaf !== null || n.keys || !n.kids.length ? ref(n) : `[\n    ${n.kids.map(ref).join(",\n    ")},\n  ]`);
  const expression = root.keys
    ? `{\n${root.keys.map((k, i) => `  ${prop(k)}: ${entry(root.kids[i]!)},`).join("\n")}\n}`
    : ref(root);
  return { declarations, expression };
}

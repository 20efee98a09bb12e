// The deployment's reference data, read once per session (the browser revalidates each with its ETag).
import { api } from './api.js';

export async function loadReference() {
  const [jurisdiction, categories, departments] = await Promise.all(
    [api('jurisdiction'), api('categories'), api('departments')]);
  const nodes = new Map(jurisdiction.nodes.map((n) => [n.code, n]));
  const children = new Map();
  for (const node of jurisdiction.nodes) {
    if (node.parent) children.set(node.parent, [...(children.get(node.parent) || []), node.code]);
  }
  return {
    root: jurisdiction.root, nodes, children, grids: jurisdiction.grids,
    categories: new Map(categories.items.map((c) => [c.code, c])),
    departments: new Map(departments.items.map((d) => [d.id, d])),
  };
}

// the village (or community) a grid belongs to
export function parentOf(ref, code) {
  return ref.nodes.get(ref.nodes.get(code)?.parent);
}

export function within(code, ancestor) {
  return code === ancestor || code.startsWith(`${ancestor}.`);
}

// every grid feature below a node
export function gridsUnder(ref, code) {
  return ref.grids.features.filter((f) => within(f.id, code));
}

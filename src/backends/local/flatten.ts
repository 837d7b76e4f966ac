// The file backend's view of a YAML/JSON document: nested maps and arrays
// become flat key paths, as confd does ({app: {port: 9001}} → /app/port).

const scalarToString = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
};

export const flattenDocument = (doc: unknown, into: Map<string, string> = new Map(), path = ''): Map<string, string> => {
  if (Array.isArray(doc)) {
    doc.forEach((item, i) => flattenDocument(item, into, `${path}/${i}`));
  } else if (doc !== null && typeof doc === 'object' && !(doc instanceof Date)) {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      const segment = k.replace(/^\/+|\/+$/g, '');
      flattenDocument(v, into, segment ? `${path}/${segment}` : path);
    }
  } else {
    into.set(path || '/', scalarToString(doc));
  }
  return into;
};

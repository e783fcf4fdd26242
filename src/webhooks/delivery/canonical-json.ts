// RFC 8785 (JSON Canonicalization Scheme): the exact bytes every webhook body is sent and signed as, so a receiver
// can verify the signature over the raw body and anyone can reproduce the body from the event.
//
// Keys are sorted by UTF-16 code units at every depth, there is no whitespace, numbers take the ECMAScript
// Number-to-String form and strings the minimal JSON escapes (non-ASCII literal, `/` unescaped). JSON.stringify
// already produces that form for numbers and for strings, so only the structure is written here.

export class CanonicalJsonError extends TypeError {
  override name = 'CanonicalJsonError';
}

/** Lone UTF-16 surrogates: I-JSON (RFC 7493), which JCS requires, refuses them. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(`${path}: a string with a lone surrogate is not valid I-JSON`);
  return JSON.stringify(value);
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path}: ${value} is not a JSON number`);
      // ECMAScript Number.prototype.toString, except that -0 is written as 0 (JSON.stringify does both).
      return JSON.stringify(value);
    case 'string':
      return serializeString(value, path);
    case 'bigint':
      throw new CanonicalJsonError(`${path}: a bigint has no canonical JSON form (convert it first)`);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${path}: a ${typeof value} has no JSON form`);
  }
  const object = value as object;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return serialize((object as { toJSON: () => unknown }).toJSON(), path, ancestors);
  }
  if (ancestors.has(object)) throw new CanonicalJsonError(`${path}: a cycle has no JSON form`);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item: unknown, index) => {
        const itemPath = `${path}[${index}]`;
        if (item === undefined) throw new CanonicalJsonError(`${itemPath}: undefined inside an array has no JSON form`);
        return serialize(item, itemPath, ancestors);
      }).join(',')}]`;
    }
    const record = object as Record<string, unknown>;
    // The default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 asks for.
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${serializeString(key, path)}:${serialize(record[key], `${path}.${key}`, ancestors)}`).join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

/**
 * The RFC 8785 canonical form of a JSON value. Object members whose value is undefined are left out (as
 * JSON.stringify does); NaN, Infinity, bigint, functions, symbols, undefined array items, lone surrogates and
 * cycles throw CanonicalJsonError.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new CanonicalJsonError('$: undefined has no JSON form');
  return serialize(value, '$', new Set());
}

/** The canonical form as the UTF-8 bytes that are signed and sent. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

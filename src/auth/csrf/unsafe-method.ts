const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Methods that change state, and so need a CSRF token when a cookie authenticates them. */
export function isUnsafeMethod(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

export const CSRF_HEADER = 'x-csrf-token';

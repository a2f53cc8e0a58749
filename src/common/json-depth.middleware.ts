import type { NextFunction, Request, Response } from 'express';

/** Deeper JSON than any route accepts; class-transformer would overflow its stack on ~2000 levels (a 500). */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a parsed JSON value, walked iteratively so the check itself cannot overflow. */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Refuses request bodies nested more than MAX_JSON_DEPTH levels with a 400. */
export function rejectDeepJson(req: Request, res: Response, next: NextFunction): void {
  if (jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    res.status(400).json({
      statusCode: 400,
      error: 'Bad Request',
      message: `Request body is nested more than ${MAX_JSON_DEPTH} levels deep`,
    });
    return;
  }
  next();
}

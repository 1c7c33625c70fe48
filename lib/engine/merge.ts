import { compareUtf8 } from "./key-order";

/**
 * Pairs each item of `driver` with the item of `other` that has the same key, reading both
 * sorted streams once (a merge join). Items of `other` with no partner are passed over.
 */
export async function* mergeJoin<A, B>(
  driver: AsyncIterable<A>,
  other: AsyncIterable<B>,
  keyA: (a: A) => string,
  keyB: (b: B) => string,
): AsyncGenerator<[A, B | undefined]> {
  const it = other[Symbol.asyncIterator]();
  let current = await it.next();
  try {
    for await (const a of driver) {
      const key = keyA(a);
      while (!current.done && compareUtf8(keyB(current.value), key) < 0) current = await it.next();
      if (!current.done && keyB(current.value) === key) {
        yield [a, current.value];
        current = await it.next();
      } else {
        yield [a, undefined];
      }
    }
  } finally {
    await it.return?.();
  }
}

// Size limits count UTF-8 bytes, as file readers, GitHub and registries do: one way to count them.
const encoder = new TextEncoder();

/** The text's length in UTF-8 bytes (at least its length in characters, at most three times it). */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** `text` for use inside a LIKE pattern, its pattern characters (\ % _) taken literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

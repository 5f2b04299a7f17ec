import { Fragment } from 'react';

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const unescape = (html: string) => html.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

/**
 * A search hit's name with the matched words marked: the server sends escaped text with
 * `<em>` around matches; it is split here rather than injected as HTML.
 */
export function Highlighted({ html }: { html: string }) {
  const parts = html.split(/<em>(.*?)<\/em>/g);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <mark key={i} className="tb-hit">
            {unescape(part)}
          </mark>
        ) : (
          <Fragment key={i}>{unescape(part)}</Fragment>
        ),
      )}
    </>
  );
}

import type { ReactNode } from "react";

/**
 * Tags for next-intl's t.rich, for text inside a message that is never translated: `<code>…</code>` a literal
 * example (a code, a time zone), `<name>…</name>` a product's name.
 */
export const richText = {
  code: (chunks: ReactNode) => <code translate="no">{chunks}</code>,
  name: (chunks: ReactNode) => <span translate="no">{chunks}</span>,
};

/**
 * The home page's hot services request, named once: the page asks for it, and the build
 * announces it in index.html (`<link rel="preload" as="fetch">`) so a phone fetches it
 * alongside the code instead of a round trip after it.
 */
export const HOT_SERVICES_QUERY = { sort: 'popular', page: 1, size: 8 } as const;

/** As the API client writes it (parameters in this order). */
export const HOT_SERVICES_URL = `/api/v1/catalog/items?${new URLSearchParams(
  Object.entries(HOT_SERVICES_QUERY).map(([key, value]) => [key, String(value)]),
)}`;

// Hash routing (`#/devices?kb=KB5043064`): works at any path prefix and behind proxies, since the server only ever serves index.html.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments, decoded: `#/devices/bank-ws-0412` → ['devices', 'bank-ws-0412']. */
  segments: string[];
  query: URLSearchParams;
  /** The address holds a segment that is not valid percent-encoding (`#/devices/%E0%A4%A`): no page can show it. */
  invalid: boolean;
}

/** A path segment decoded, or null when its percent-encoding is broken (decodeURIComponent would throw URIError). */
function decodeSegment(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?', 2);
  const decoded = path.split('/').filter(Boolean).map(decodeSegment);
  const segments = decoded.filter((part): part is string => part !== null);
  return { segments, query: new URLSearchParams(search), invalid: segments.length !== decoded.length };
}

export function href(segments: string[], query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `#/${segments.map((part) => encodeURIComponent(part)).join('/')}${search ? `?${search}` : ''}`;
}

export function navigate(target: string): void {
  if (location.hash !== target) location.hash = target;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

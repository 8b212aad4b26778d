// Hash routing (`#/devices?kb=KB5043064`): works at any path prefix and behind proxies, since the server only ever serves index.html.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments, decoded: `#/devices/bank-ws-0412` → ['devices', 'bank-ws-0412']. */
  segments: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?', 2);
  return { segments: path.split('/').filter(Boolean).map((part) => decodeURIComponent(part)), query: new URLSearchParams(search) };
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

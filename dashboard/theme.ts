// Light/dark theme: the system preference until the user picks one, then the pick.
export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'patchlens.theme';

export function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // Storage disabled: follow the system.
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Not saved: the choice lasts for this page only.
  }
}

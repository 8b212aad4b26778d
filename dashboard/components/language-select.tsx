// The language switch (header and sign-in page); each language is named in itself.
import { LOCALES, type Locale, type Translate } from '../i18n/index';

const NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

export function LanguageSelect({ locale, t, onChange }: { locale: Locale; t: Translate; onChange(locale: Locale): void }) {
  return (
    <>
      <label class="visually-hidden" for="locale">
        {t('app.language')}
      </label>
      <select id="locale" value={locale} onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((item) => (
          <option key={item} value={item}>
            {NAMES[item]}
          </option>
        ))}
      </select>
    </>
  );
}

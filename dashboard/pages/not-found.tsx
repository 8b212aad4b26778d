// The page for an address the dashboard cannot show (e.g. broken percent-encoding in a link).
import { useApp } from '../app-context';
import { href } from '../router';

export function NotFoundPage() {
  const { t } = useApp();
  return (
    <div class="page">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.text')}</p>
      <p>
        <a href={href([])}>{t('notFound.back')}</a>
      </p>
    </div>
  );
}

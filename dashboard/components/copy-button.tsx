// Copies a command to the clipboard and says so.
import { useState } from 'preact/hooks';
import { useApp } from '../app-context';

export function CopyButton({ text }: { text: string }) {
  const { t } = useApp();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(text).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1_500);
      },
      () => setCopied(false),
    );
  };
  return (
    <button type="button" class="copy" onClick={copy} aria-label={t('action.copyCommand')}>
      {copied ? t('action.copied') : t('action.copy')}
    </button>
  );
}

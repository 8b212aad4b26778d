// The live/disconnected badge in the header: a shape and a word, not only a colour.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app-context';

export function LiveIndicator() {
  const { live, t } = useApp();
  const [status, setStatus] = useState(live.status);
  useEffect(() => {
    setStatus(live.status);
    return live.onStatus(setStatus);
  }, [live]);
  const text = status === 'live' ? t('live.live') : status === 'connecting' ? t('live.connecting') : t('live.offline');
  return (
    <span class={`live live-${status}`} role="status" aria-live="polite" data-status={status} title={text}>
      <span class="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

// Device detail page: the stored device, refreshed live when its report changes.
import { useEffect } from 'preact/hooks';
import { useApp } from '../app-context';
import { DeviceDetailView } from '../components/device-detail';
import { ErrorNote, Loading } from '../components/notes';
import { href } from '../router';
import { useResource } from '../use-resource';

export function DevicePage({ id }: { id: string }) {
  const { api, live, t } = useApp();
  const detail = useResource(() => api.device(id), [id]);
  useEffect(() => live.watch([id]), [live, id]);
  useEffect(() => live.on('device:updated', (updates) => updates.some((update) => update.deviceId === id) && detail.reload()), [live, id]);
  return (
    <div class="page">
      <p class="crumbs">
        <a href={href(['devices'])}>{t('nav.devices')}</a> /
      </p>
      <h1>{detail.data?.device.hostname ?? id}</h1>
      <ErrorNote error={detail.error} />
      <Loading when={detail.loading && !detail.data} />
      {detail.data && <DeviceDetailView detail={detail.data} />}
    </div>
  );
}

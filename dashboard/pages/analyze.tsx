// Analyze a log: drop a CBS.log / CbsPersist / CheckSUR.log (or a zip of the CBS folder); the server parses it and shows the device view.
import { useRef, useState } from 'preact/hooks';
import { ANALYZE_MAX_BYTES, type AnalyzeResult } from '../../protocol/device-detail';
import type { UploadProgress } from '../api/client';
import { useApp } from '../app-context';
import { DeviceDetailView } from '../components/device-detail';
import { ErrorNote } from '../components/notes';

export function AnalyzePage() {
  const { api, t, fmt, isAdmin } = useApp();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [result, setResult] = useState<AnalyzeResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [dragging, setDragging] = useState(false);
  const [deviceId, setDeviceId] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const abort = useRef<AbortController | null>(null);

  const analyze = async (file: File) => {
    setError(null);
    setResult(null);
    if (file.size > ANALYZE_MAX_BYTES) {
      setError(new Error(t('analyze.tooLarge', { size: fmt.bytes(ANALYZE_MAX_BYTES) })));
      return;
    }
    abort.current = new AbortController();
    setProgress({ loaded: 0, total: file.size });
    try {
      setResult(await api.analyze(file, file.name, deviceId.trim() || null, setProgress, abort.current.signal));
    } catch (err) {
      setError(err as Error);
    } finally {
      setProgress(null);
      abort.current = null;
    }
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer?.files[0];
    if (file) void analyze(file);
  };
  const percent = progress && progress.total > 0 ? Math.round((100 * progress.loaded) / progress.total) : 0;

  return (
    <div class="page">
      <h1>{t('nav.analyze')}</h1>
      <p class="muted">{t('analyze.intro')}</p>
      <div
        class={`dropzone ${dragging ? 'dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>{t('analyze.drop')}</p>
        <label class="button">
          {t('analyze.choose')}
          <input
            ref={input}
            class="visually-hidden"
            type="file"
            accept=".log,.zip,text/plain,application/zip"
            onChange={(event) => {
              const file = (event.currentTarget as HTMLInputElement).files?.[0];
              if (file) void analyze(file);
              (event.currentTarget as HTMLInputElement).value = '';
            }}
          />
        </label>
        {isAdmin && (
          <label class="attach">
            {t('analyze.attachTo')}
            <input value={deviceId} onInput={(event) => setDeviceId((event.currentTarget as HTMLInputElement).value)} placeholder="bank-ws-0412" />
          </label>
        )}
      </div>
      {progress && (
        <div class="upload-progress">
          <progress max={100} value={percent} aria-label={t('analyze.uploading')} />
          <span role="status">
            {percent >= 100 ? t('analyze.parsing') : t('analyze.progress', { loaded: fmt.bytes(progress.loaded), total: fmt.bytes(progress.total), percent })}
          </span>
          <button type="button" class="secondary" onClick={() => abort.current?.abort()}>
            {t('action.cancel')}
          </button>
        </div>
      )}
      <ErrorNote error={error} />
      {result && (
        <div class="analyze-result">
          <p class="summary" role="status">
            {t('analyze.summary', {
              name: result.source.name,
              size: fmt.bytes(result.source.bytes),
              files: result.parse.files.length,
              lines: fmt.number(result.parse.files.reduce((sum, file) => sum + file.lines, 0)),
              failures: result.detail.failures.length,
              corruption: result.detail.corruption.length,
            })}
            {result.attached && ` ${t('analyze.attached', { device: result.attached.deviceId })}`}
          </p>
          {result.skipped.length > 0 && <p class="muted small">{t('analyze.skipped', { files: result.skipped.join(', ') })}</p>}
          <DeviceDetailView detail={result.detail} analyzed={!result.attached} />
        </div>
      )}
    </div>
  );
}

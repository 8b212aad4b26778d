// The framing worker's file: a worker thread started on it frames the files of its job (parser/pipeline.ts).
import { serveFraming } from './framing-worker';

serveFraming();

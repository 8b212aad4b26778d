// Script of the framing worker when the parser runs from source (the bundled agent starts its own file instead).
import { serveFraming } from './framing-worker';

serveFraming();

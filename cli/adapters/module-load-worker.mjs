// Worker-thread entry of the `--impl` load probe (module-load-probe.ts). Plain JavaScript on purpose: worker
// threads inherit no loader, so the probe's runner is loaded compiled or through tsx.
import { loadCompiledOrSource } from '../load-compiled-or-source.mjs';

await loadCompiledOrSource(import.meta.url, './module-load-worker-main');

// Worker-thread entry for `selftest --corpus --jobs N`. Plain JavaScript on purpose: worker threads do not
// inherit a loader, so the runner is loaded compiled (installed package) or through tsx (a checkout).
import { loadCompiledOrSource } from './load-compiled-or-source.mjs';

await loadCompiledOrSource(import.meta.url, './corpus-worker-main');

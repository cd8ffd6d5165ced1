// Worker-thread entry for `run --jobs N`. Plain JavaScript on purpose: worker threads do not inherit the
// tsx loader, so this registers it before loading the TypeScript runner.
import { register } from 'tsx/esm/api';

register();
await import('./seed-worker-main.ts');

import { memgarVitest } from '@memgar/vitest-config';

export default memgarVitest({ testTimeout: 60_000 });

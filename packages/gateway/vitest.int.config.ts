import { memgarVitest } from '@memgar/vitest-config';

export default memgarVitest({ kind: 'int', testTimeout: 60_000 });

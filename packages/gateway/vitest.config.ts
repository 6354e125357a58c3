import { memgarVitest } from '@memgar/vitest-config';

export default memgarVitest();

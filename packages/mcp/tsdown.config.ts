import { memgarBuild } from '@memgar/build-config';

export default memgarBuild({ entry: ['src/index.ts', 'src/bin.ts'] });

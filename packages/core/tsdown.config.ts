import { memgarBuild } from '@memgar/build-config';

export default memgarBuild({ entry: ['src/index.ts', 'src/node.ts', 'src/adapter-kit.ts'] });

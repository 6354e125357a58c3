import { memgarBuild } from '@memgar/build-config';

export default memgarBuild();

import type { UserConfig } from 'tsdown';
export declare function memgarBuild(overrides?: UserConfig): UserConfig;

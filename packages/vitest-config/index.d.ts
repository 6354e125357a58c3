import type { UserConfig } from 'vitest/config';
export declare const SOURCE_CONDITION: '@memgar/source';
export declare function memgarVitest(options?: { kind?: 'unit' | 'int'; testTimeout?: number }): UserConfig;

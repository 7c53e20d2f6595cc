/** The compiled file whose time stands for the build's (bin/build-state.js). */
export declare const COMPILED_ENTRY: string;
/** Undefined when dist/ under `root` is current, else why it is not (bin/build-state.js). */
export declare function staleBuild(root: string): string | undefined;

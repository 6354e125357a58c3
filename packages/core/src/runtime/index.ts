// Barrel: explicit named re-exports are added here as the feature lands.
export {};

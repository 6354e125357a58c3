export { atLeast, DECISION_RANK, decisionForScore, PROFILES } from './profiles.js';

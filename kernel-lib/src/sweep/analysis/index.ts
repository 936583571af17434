/** What a sweep shows: the leaderboard, the best trial and parameter importance, pure functions of Trial records. */
export { bestTrial, leaderboard, whyNoBestTrial, type LeaderboardOptions, type LeaderboardRow } from './leaderboard';
export { paramImportance } from './ped-anova';

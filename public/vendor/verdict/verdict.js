// Generated from src/core/verdict.ts by scripts/vendor-assets.mjs: edit that file, then run it.

// src/core/verdict.ts
var Z_95 = 1.959963984540054;
function wilsonInterval(successes, trials, z = 1.96) {
  if (trials === 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const margin = z * Math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials));
  const denominator = 1 + z2 / trials;
  return [
    Math.max(0, (centre - margin) / denominator),
    Math.min(1, (centre + margin) / denominator)
  ];
}
function differenceInterval(a, b, z = 1.96) {
  const aVotes = a.up + a.down;
  const bVotes = b.up + b.down;
  if (aVotes === 0 || bVotes === 0) return null;
  const aRate = a.up / aVotes;
  const bRate = b.up / bVotes;
  const [aLow, aHigh] = wilsonInterval(a.up, aVotes, z);
  const [bLow, bHigh] = wilsonInterval(b.up, bVotes, z);
  const difference = aRate - bRate;
  return {
    difference,
    low: difference - Math.sqrt((aRate - aLow) ** 2 + (bHigh - bRate) ** 2),
    high: difference + Math.sqrt((aHigh - aRate) ** 2 + (bRate - bLow) ** 2)
  };
}
var DEFAULT_TAU = 0.05;
function moments(a, b) {
  const aVotes = a.up + a.down;
  const bVotes = b.up + b.down;
  const aRate = (a.up + 1) / (aVotes + 2);
  const bRate = (b.up + 1) / (bVotes + 2);
  return {
    aVotes,
    bVotes,
    aSpread: aRate * (1 - aRate),
    bSpread: bRate * (1 - bRate)
  };
}
function logMixtureRatio(difference, variance, tau2) {
  return 0.5 * Math.log(variance / (variance + tau2)) + tau2 * difference * difference / (2 * variance * (variance + tau2));
}
function sequentialVerdict(a, b, { alpha = 0.05, tau = DEFAULT_TAU, previous } = {}) {
  const { aVotes, bVotes, aSpread, bSpread } = moments(a, b);
  let pValue = previous?.pValue ?? 1;
  let low = previous?.low ?? -1;
  let high = previous?.high ?? 1;
  let difference = 0;
  let moreVotesEach = null;
  if (aVotes > 0 && bVotes > 0) {
    difference = a.up / aVotes - b.up / bVotes;
    const variance = aSpread / aVotes + bSpread / bVotes;
    const tau2 = tau * tau;
    const threshold = Math.log(1 / alpha);
    pValue = Math.min(pValue, Math.exp(-logMixtureRatio(difference, variance, tau2)));
    const halfWidth = Math.sqrt(
      2 * variance * (variance + tau2) / tau2 * (threshold + 0.5 * Math.log((variance + tau2) / variance))
    );
    if (difference - halfWidth <= high && difference + halfWidth >= low) {
      low = Math.max(low, difference - halfWidth);
      high = Math.min(high, difference + halfWidth);
    }
    if (low <= 0 && high >= 0 && difference !== 0) {
      moreVotesEach = votesToDecide(difference, aVotes, bVotes, aSpread, bSpread, tau2, threshold);
    }
  }
  const decision = low > 0 ? "a-better" : high < 0 ? "b-better" : "undecided";
  return { decision, difference, pValue, low, high, moreVotesEach };
}
function votesToDecide(difference, aVotes, bVotes, aSpread, bSpread, tau2, threshold) {
  const decides = (more) => logMixtureRatio(difference, aSpread / (aVotes + more) + bSpread / (bVotes + more), tau2) >= threshold;
  let enough = 1;
  while (!decides(enough)) {
    enough *= 2;
    if (enough > 2 ** 40) return null;
  }
  let short = enough / 2;
  while (enough - short > 1) {
    const middle = Math.floor((short + enough) / 2);
    if (decides(middle)) enough = middle;
    else short = middle;
  }
  return enough;
}
export {
  DEFAULT_TAU,
  Z_95,
  differenceInterval,
  sequentialVerdict,
  wilsonInterval
};

// Generated from src/core/agreement.ts by scripts/vendor-assets.mjs: edit that file, then run it.

// src/core/agreement.ts
function cohensKappa(table, z = 1.96) {
  const size = table.length;
  const total = table.reduce((sum, row2) => sum + row2.reduce((s, count) => s + count, 0), 0);
  if (total === 0) return null;
  const p = (i, j) => (table[i]?.[j] ?? 0) / total;
  const row = Array.from({ length: size }, (_, i) => table[i]?.reduce((s, c) => s + c, 0) ?? 0);
  const column = Array.from(
    { length: size },
    (_, j) => table.reduce((sum, counts) => sum + (counts[j] ?? 0), 0)
  );
  const rowShare = row.map((count) => count / total);
  const columnShare = column.map((count) => count / total);
  let observed = 0;
  let chance = 0;
  for (let i = 0; i < size; i++) {
    observed += p(i, i);
    chance += (rowShare[i] ?? 0) * (columnShare[i] ?? 0);
  }
  if (chance >= 1) return null;
  const kappa = (observed - chance) / (1 - chance);
  let diagonal = 0;
  let offDiagonal = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (i === j) {
        const margins = (rowShare[i] ?? 0) + (columnShare[i] ?? 0);
        diagonal += p(i, i) * (1 - margins * (1 - kappa)) ** 2;
      } else {
        offDiagonal += p(i, j) * ((columnShare[i] ?? 0) + (rowShare[j] ?? 0)) ** 2;
      }
    }
  }
  const variance = (diagonal + (1 - kappa) ** 2 * offDiagonal - (kappa - chance * (1 - kappa)) ** 2) / (total * (1 - chance) ** 2);
  const standardError = Math.sqrt(Math.max(0, variance));
  return {
    kappa,
    standardError,
    low: Math.max(-1, kappa - z * standardError),
    high: Math.min(1, kappa + z * standardError)
  };
}
var share = (part, whole) => whole === 0 ? null : part / whole;
function judgeAgreement(votes) {
  const { judgeBadPeopleDown, judgeBadPeopleUp, judgeGoodPeopleDown, judgeGoodPeopleUp } = votes;
  const total = judgeBadPeopleDown + judgeBadPeopleUp + judgeGoodPeopleDown + judgeGoodPeopleUp;
  const kappa = cohensKappa([
    [judgeBadPeopleDown, judgeBadPeopleUp],
    [judgeGoodPeopleDown, judgeGoodPeopleUp]
  ]);
  return {
    confusion: { ...votes },
    total,
    agreement: share(judgeBadPeopleDown + judgeGoodPeopleUp, total),
    kappa: kappa?.kappa ?? null,
    kappaLow: kappa?.low ?? null,
    kappaHigh: kappa?.high ?? null,
    precisionBad: share(judgeBadPeopleDown, judgeBadPeopleDown + judgeBadPeopleUp),
    recallBad: share(judgeBadPeopleDown, judgeBadPeopleDown + judgeGoodPeopleDown)
  };
}
export {
  cohensKappa,
  judgeAgreement
};

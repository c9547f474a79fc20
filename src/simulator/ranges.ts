/** `[0, 1, 2, 3, 7, 9, 10]` → `['0–3', '7', '9', '10']`: runs of three or more consecutive numbers as ranges. */
export function numberRanges(nums: readonly number[], dash = '–'): string[] {
  const parts: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${nums[i]}${dash}${nums[j]}`);
    else parts.push(...nums.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return parts;
}

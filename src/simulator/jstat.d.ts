/** The one part of jStat (which ships no types) the simulator uses: Student's t quantile. */
declare module 'jstat' {
  const jstat: { jStat: { studentt: { inv(p: number, degreesOfFreedom: number): number } } };
  export default jstat;
}

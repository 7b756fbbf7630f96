/** Real documents never written by us, from the Coq packages installed on this machine. */
const COQ = '/usr/lib/ocaml/coq';

/** The benchmark set (issue 4): standard library files, mathcomp's seq.v and Flocq's Pff.v. */
export const BENCHMARK_FILES = [
  `${COQ}/theories/Lists/List.v`,
  `${COQ}/theories/ZArith/BinInt.v`,
  `${COQ}/theories/Sorting/Permutation.v`,
  `${COQ}/theories/Reals/RiemannInt.v`,
  `${COQ}/user-contrib/mathcomp/ssreflect/seq.v`,
  `${COQ}/user-contrib/Flocq/Pff/Pff.v`,
];

//! Response assessment criteria, one module per criterion: RECIST 1.1, Choi, PERCIST 1.0, EORTC 1999, ctDNA molecular response.

// Package eval measures document retrieval the way Hinton & Salakhutdinov
// (Science 2006, Fig. 4) do on 20 Newsgroups, and provides the baselines the
// autoencoder codes are compared with: LSA, TF-IDF cosine and Okapi BM25.
//
// # Protocol
//
// Every labeled document is a query against all other documents; a document
// is relevant to a query when it has the same label. Documents are ranked by
// score, highest first; equal scores are ordered by position, lower first.
// Scores compare as float32 values, -0 equal to +0; a NaN score ranks below
// every other score. A document with the empty label is never a query and
// never relevant, but it is ranked.
//
// For a query with R relevant documents among the other n-1:
//
//   - precision at recall r = j / rank of the j-th relevant document, with
//     j = max(1, ceil(r*R)) (ceil taken with a 1e-9 tolerance, so that
//     0.1*30 gives 3, not 4);
//   - accuracy at k = (relevant documents among the first k) / k, with k
//     capped at n-1: precision at k, at k in KLevels (1, 3, 7, 10, 15, ...);
//   - average precision = (1/R) * sum over j = 1..R of j / rank of the j-th
//     relevant document, over the full ranking; its mean over the queries
//     is MAP (mean average precision).
//
// All are averaged over the queries with R >= 1; queries with R = 0 are
// skipped, and Evaluate returns how many queries were averaged.
//
// # Keys
//
// Curve stores its values in maps keyed by strings, for JSON: recall levels
// as strconv.FormatFloat(r, 'f', -1, 64) with ".0" added to whole numbers
// ("0.001", "0.1", "0.8", "1.0"), see RecallKey; cut-offs k in decimal
// ("1", "1023"), see KKey.
//
// # Speed
//
// Evaluate never sorts all n-1 scores of a query. Score and position are
// packed into one uint64 key per document whose order is the ranking. The
// R relevant documents are sorted (a counting sort into 16R score buckets,
// then a sort of each small bucket), and one pass places every document
// among them by its bucket, comparing keys only within its bucket. That
// gives the exact rank of every relevant document, from which all the
// metrics follow, in O(n + R) per query. Queries run in parallel on GOMAXPROCS
// goroutines in blocks of 32; per-query values are summed in query order,
// so results do not depend on scheduling.
//
// # Baselines
//
// CosineScorer ranks dense codes (autoencoder, LSA) by cosine. TFIDF and BM25
// score sparse counts through an inverted index. FitLSA is a truncated SVD of
// the log(1+tf)*idf training matrix, computed by Lanczos iteration on X'X
// with full reorthogonalization (mat.EigenSym of the 2000x2000 Gram matrix
// took 22 s here; Lanczos takes well under a second for k = 50).
package eval

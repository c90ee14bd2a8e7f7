// Package eval measures document retrieval the way Hinton & Salakhutdinov
// (Science 2006, Fig. 4) do on 20 Newsgroups, and provides the baselines the
// autoencoder codes are compared with: LSA, TF-IDF cosine and Okapi BM25.
// Evaluate takes any Scorer: codes ranked by cosine, the baselines, or a
// ranking computed elsewhere (pipeline passes the product's keyword and
// hybrid modes through query.Engine.Scores); WriteTable and Plot show the
// curves of a Report.
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
// the weighted training matrix, computed by Lanczos iteration on X'X with
// full reorthogonalization (mat.EigenSym of the 2000x2000 Gram matrix took
// 22 s here; Lanczos takes well under a second for k = 50).
//
// The baselines run at full strength: every choice that decides their
// strength was made on held-out training data, never on the test documents.
// Term weights are ln(1+tf) * ln(N/df) with N and df over the training
// documents (IDFLog; a term no training document has counts as df = 1).
// TFIDF compares unit-length weight vectors; FitLSA takes the SVD of the
// weight vectors as they are for k >= 20, and for k < 20 of unit-length
// vectors centred on their training mean (PCA), whose codes are then
// compared by cosine (DefaultLSAOptions). BM25 is textbook Okapi BM25 with
// Lucene's k1 = 1.2, b = 0.75, computed here from the counts; it is not
// bleve's scoring.
//
// The selection: the 11,314 20 Newsgroups training posts, counted with the
// index's 2,000 words, split 80/20 by an FNV-1a hash of the post's id;
// every recipe fitted on the 9,039 and evaluated on the 2,275 held out (each
// queries the other held-out posts), ranked by mean average precision, with
// go run ./bench/baselines select -index DIR [-k 5,10,...]. The grid: tf as
// ln(1+tf), tf or 1+ln(tf); idf as ln(N/df) or scikit-learn's smoothed
// ln((1+N)/(1+df))+1; for LSA rows as they are or of unit length, and no
// centring, the mean code subtracted, or PCA. Held-out MAP (precision at
// recall 0.1) of ln(1+tf)*ln(N/df) in the two shapes that won, and of the
// recipes used before:
//
//	          unit rows, PCA     rows as they are   before: smoothed idf
//	                             (uncentred)        (TF-IDF: raw tf)
//	LSA-5     0.221 (0.305)      0.212 (0.275)
//	LSA-10    0.308 (0.411)      0.271 (0.370)      0.237 (0.336)
//	LSA-15    0.325 (0.440)      0.300 (0.417)
//	LSA-20    0.319 (0.452)      0.344 (0.478)
//	LSA-30    0.333 (0.473)      0.359 (0.526)
//	LSA-50    0.340 (0.499)      0.355 (0.553)      0.308 (0.503)
//	LSA-100   0.314 (0.482)      0.321 (0.537)
//	TF-IDF                       0.208 (0.412)      0.198 (0.384)
//
// Unit rows with PCA won at every k up to 15, rows as they are at every k
// from 20. Within those shapes ln(1+tf) * ln(N/df) won for LSA-10, LSA-50
// and TF-IDF, the baselines eval reports; at k = 5 raw tf did (0.245), at
// k = 20 1+ln(tf) (0.345), and ln(1+tf) is kept for every k. The smoothed
// idf lost to ln(N/df) in all 129 pairs of otherwise equal recipes. An
// independent scikit-learn pipeline on the same counts, bench/baselines/run,
// reproduces the test-set figures of LSA-10, LSA-50 and TF-IDF to the
// fourth decimal.
package eval

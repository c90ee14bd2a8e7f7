// Package query searches a docsearch index. Open loads an index together
// with the model that wrote its codes into an Engine, and Engine.Search
// ranks the documents for a Request in one of three modes:
//
//   - Keyword ranks the documents that match the query by bleve's BM25 on
//     their text, in bleve's query-string syntax: words, "phrases", +must,
//     -mustnot, the fields label:, title: and text:, and prefix, wildcard,
//     fuzzy and regular-expression terms within bounds (MaxTermExpansion).
//     A query that is not valid syntax, or beyond the bounds, is searched
//     as plain words, with a note in the Response.
//   - Semantic ranks every document that has a code by the cosine between
//     its code and the query's. The Model makes the query's code as it made
//     the documents': text -> word counts over the vocabulary -> the
//     fine-tuned autoencoder -> code, less the mean code of the training
//     documents.
//   - Hybrid, the default, ranks by z(keyword) + HybridWeight * z(cosine)
//     over the FusionWindow best keyword hits and every document's cosine:
//     the words decide among the documents that hold them, the codes the
//     rest and the ties.
//
// A Request may name an indexed document instead of a text (the documents
// like it: its code, and its most telling terms as the keyword query), keep
// one label, leave a document out, page with K and Offset, and ask for
// snippets with the matches highlighted. Engine.Scores gives every
// document's score under a mode, for evaluation.
//
// The Blob constants fix what an index holds besides the codes (blobs.go):
// the model's parts (Model.Blobs, Decode), the pretrained model and the
// training counts that eval compares with, and how the model was trained
// (TrainInfo).
package query

// Package pipeline runs the jobs of docsearch on an index directory,
// composing the stages; each stage's logic lives in its own package.
//
//   - Build reads a corpus (ingest), chooses the vocabulary (vocab),
//     pretrains the RBM stack, unrolls and fine-tunes the autoencoder
//     (rbmstack, autoencoder) with the recipe of a Profile (RecipeFor),
//     encodes every document and writes a new index generation with the
//     codes, the full-text index and the model (index, query). Training is
//     checkpointed after every epoch; Options.Resume continues a killed run
//     to the model an uninterrupted one makes.
//   - Add encodes more documents with the index's own model and adds them,
//     Remove deletes documents: both in a new generation, no retraining.
//     Inspect and Describe report the index, its model and how well the
//     vocabulary covers the documents added since training (RetrainDrop).
//   - Evaluate runs the all-pairs retrieval protocol of eval on the codes,
//     the product's keyword and hybrid rankings, the pretrained layers,
//     other indexes and the baselines, and the short-query protocol
//     (ShortReport) in every mode.
//
// Options name fields, not command-line flags: bad values come back as
// FieldError naming the field, and cmd/docsearch maps flags to fields.
package pipeline

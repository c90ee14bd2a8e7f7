package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/docsearch/docsearch/pipeline"
)

// indexFlags maps the fields of pipeline.Options to their flags.
var indexFlags = map[string]string{
	"Dir": "index", "Corpus": "corpus", "Train": "train", "Profile": "profile", "Seed": "seed",
	"VocabSize": "vocab", "Hidden": "hidden", "Code": "code", "FineTune": "finetune",
	"Epochs": "epochs", "MaxDocBytes": "max-doc-bytes", "Resume": "resume", "Bits": "bits",
	"Input": "input",
}

// addFlags maps the fields of pipeline.AddOptions to their flags.
var addFlags = map[string]string{"Dir": "index", "Corpus": "corpus", "Replace": "replace", "MaxDocBytes": "max-doc-bytes"}

// flagErrors rewrites the pipeline.FieldErrors in err (one or joined) as
// errors that name the flag the field came from.
func flagErrors(err error, flags map[string]string) error {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		var fe *pipeline.FieldError
		if errors.As(e, &fe) {
			if f, ok := flags[fe.Field]; ok {
				out[i] = fmt.Errorf("--%s: %w", f, fe.Err)
				continue
			}
		}
		out[i] = e
	}
	return errors.Join(out...)
}

// isTerminal reports whether w is a terminal that takes escape sequences.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// printIntake lists what reading a corpus skipped (files, packages or
// declarations, each with its reason), cut and could not encode, ten of
// each at most.
func printIntake(w io.Writer, in *pipeline.Intake) {
	list := func(what string, n int, item func(i int) string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "%s %d:\n", what, n)
		for i := range min(n, 10) {
			fmt.Fprintf(w, "  %s\n", item(i))
		}
		if n > 10 {
			fmt.Fprintf(w, "  ... and %d more\n", n-10)
		}
	}
	list("skipped", len(in.Skipped), func(i int) string { return in.Skipped[i].Path + ": " + in.Skipped[i].Reason })
	list("documents cut at the size limit", len(in.Truncated), func(i int) string { return in.Truncated[i] })
	list("documents without a vocabulary word, indexed for keyword search only", len(in.NoCode), func(i int) string { return in.NoCode[i] })
}

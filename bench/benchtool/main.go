// Command benchtool is the Go half of bench/run: it times index search and
// the retrieval evaluation, and turns `go test -bench` output and the JSON of
// bench/torch_steps.py into the comparison table.
//
//	benchtool topk   [-n 1000000] [-dim 10] [-k 10] [-queries 300] [-cache DIR]
//	benchtool eval   [-reps 1]
//	benchtool report -torch FILE [-go FILE] [-openblas FILE] [-topk FILE] [-eval FILE] [-json]
//
// topk and eval print one JSON object each; report prints a table, or with
// -json the object described in bench/run.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "topk":
		err = topk(os.Args[2:])
	case "eval":
		err = evalSynth(os.Args[2:])
	case "report":
		err = report(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchtool topk|eval|report [flags]; see the package documentation")
	os.Exit(2)
}

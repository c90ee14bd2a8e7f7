package eval

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteTable writes r as an aligned text table: a header line naming the
// methods (in the given order, or sorted when order is empty), then one row
// per recall level ("P@R 0.1": precision at recall 0.1), one per cut-off
// ("acc@k 15": accuracy among the first 15) and one of mean average
// precision ("MAP"), values with 4 decimals, "-" where a curve lacks a
// level. The first line gives the number of queries.
func WriteTable(w io.Writer, r Report, order []string) error {
	order, err := methodOrder(r, order)
	if err != nil {
		return err
	}
	const first = 12 // width of the row-label column
	widths := make([]int, len(order))
	for i, name := range order {
		widths[i] = max(len(name), 6)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "queries %d\n", r.Queries)
	line := func(label string, cell func(i int) string) {
		var b strings.Builder
		fmt.Fprintf(&b, "%-*s", first, label)
		for i := range order {
			fmt.Fprintf(&b, "  %*s", widths[i], cell(i))
		}
		bw.WriteString(strings.TrimRight(b.String(), " "))
		bw.WriteByte('\n')
	}
	value := func(m map[string]float64, key string) string {
		v, ok := m[key]
		if !ok {
			return "-"
		}
		return fmt.Sprintf("%.4f", v)
	}
	line("", func(i int) string { return order[i] })
	for _, lv := range RecallLevels {
		key := RecallKey(lv)
		line("P@R "+key, func(i int) string { return value(r.Methods[order[i]].PrecisionAtRecall, key) })
	}
	for _, k := range KLevels {
		key := KKey(k)
		line("acc@k "+key, func(i int) string { return value(r.Methods[order[i]].AccuracyAtK, key) })
	}
	line("MAP", func(i int) string {
		if m := r.Methods[order[i]].MAP; m > 0 {
			return fmt.Sprintf("%.4f", m)
		}
		return "-"
	})
	return bw.Flush()
}

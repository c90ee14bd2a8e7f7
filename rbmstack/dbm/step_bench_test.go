package dbm

import (
	"testing"

	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
)

// BenchmarkJointStep times one update of joint training at the MNIST
// paper profile's shape (784-500-1000, minibatches of 100, 10 mean-field
// sweeps, 100 persistent chains with 5 Gibbs sweeps): b.N minibatches, and
// cases/s, the rate that sets a joint epoch's time (60,000 cases).
func BenchmarkJointStep(b *testing.B) {
	data := testcase.RandomBinary(1000, 784, 1)
	d := randomDBM([]int{784, 500, 1000}, 0.01, 0.01, 2)
	t, err := NewTrainer(d, data, Config{Schedule: sched(1, 100, 0.001), Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	t.initChains()
	rows := make([]int, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range rows {
			rows[j] = (i*100 + j) % 1000
		}
		t.step(rows, 0.001)
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "cases/s")
}

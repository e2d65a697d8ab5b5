package metrics

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
)

// evalLines writes n JSON Lines shaped like the memory benchmark's file
// (scripts/bench-memory): an id and three metrics, about 75 bytes a line.
func evalLines(n int, seed int) []byte {
	var b bytes.Buffer
	b.Grow(n * 76)
	for i := range n {
		x := (i*7919 + seed*104729) % 1000
		fmt.Fprintf(&b, `{"id": "ex-%07d", "correct": %d, "loss": %.6f, "latency_ms": %.3f}`+"\n", i, x%7/6, float64(x)/997, 5+float64(x)/50)
	}
	return b.Bytes()
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkReadAndPair500k reads a base and a head file of 500,000
// examples and pairs them, as modelci compare does. Besides B/op (every
// byte allocated), it reports what the pairing keeps alive (retained-B)
// and that over the values' own size, three float64 columns a side
// (retained/values).
func BenchmarkReadAndPair500k(b *testing.B) {
	const n = 500_000
	base, head := evalLines(n, 1), evalLines(n, 2)
	b.SetBytes(int64(len(base) + len(head)))
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		before := heapInUse()
		be, err := ParseExamples("base.jsonl", bytes.NewReader(base), ExamplesJSONL)
		if err != nil {
			b.Fatal(err)
		}
		he, err := ParseExamples("head.jsonl", bytes.NewReader(head), ExamplesJSONL)
		if err != nil {
			b.Fatal(err)
		}
		p := Pair(be, he)
		retained = heapInUse() - before
		runtime.KeepAlive(p)
		runtime.KeepAlive(be)
		runtime.KeepAlive(he)
	}
	b.ReportMetric(float64(retained), "retained-B")
	b.ReportMetric(float64(retained)/(2*3*8*n), "retained/values")
}

package metrics

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
)

// exampleLines writes n JSON Lines shaped like an evaluation's output.
func exampleLines(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id": "ex-%07d", "label": "%d", "pred": "%d", "correct": %t, "loss": %.6f, "latency_ms": %.3f, "scores": {"top1": %.4f, "top5": %.4f}}`+"\n",
			i, i%10, (i*7)%10, i%3 != 0, float64(i%1000)/997, 0.3+float64(i%50)/100, float64(i%100)/100, 0.9+float64(i%10)/100)
	}
	return b.Bytes()
}

func exampleCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("id,label,correct,loss,latency_ms\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "ex-%07d,cat%d,%d,%.6f,%.3f\n", i, i%10, i%2, float64(i%1000)/997, 0.3+float64(i%50)/100)
	}
	return b.Bytes()
}

func BenchmarkParseExamplesJSONL100k(b *testing.B) {
	data := exampleLines(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseExamples("bench.jsonl", bytes.NewReader(data), ExamplesAuto); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseExamplesCSV100k(b *testing.B) {
	data := exampleCSV(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseExamples("bench.csv", bytes.NewReader(data), ExamplesAuto); err != nil {
			b.Fatal(err)
		}
	}
}

// pairInputs makes base and head of n examples; shuffled puts head in a
// different order, with 1% of ids on one side only.
func pairInputs(n int, shuffled bool) (base, head *Examples) {
	mk := func(ids []string) *Examples {
		e := &Examples{IDs: ids, Columns: []string{"correct", "loss"}, Values: map[string][]float64{}}
		for _, c := range e.Columns {
			v := make([]float64, len(ids))
			for i := range v {
				v[i] = float64(i % 7)
			}
			e.Values[c] = v
		}
		return e
	}
	bids := make([]string, n)
	hids := make([]string, n)
	for i := range bids {
		bids[i] = "ex-" + strconv.Itoa(i)
		hids[i] = bids[i]
	}
	if shuffled {
		for i := range hids {
			j := (i*7919 + 13) % n // a permutation when gcd(7919, n) = 1
			hids[i] = "ex-" + strconv.Itoa(j)
			if i%100 == 0 {
				hids[i] = "new-" + strconv.Itoa(i)
			}
		}
	}
	return mk(bids), mk(hids)
}

func BenchmarkPair1MSameOrder(b *testing.B) {
	base, head := pairInputs(1_000_000, false)
	b.ReportAllocs()
	for b.Loop() {
		if p := Pair(base, head); p.N != 1_000_000 {
			b.Fatal(p.N)
		}
	}
}

func BenchmarkPair1MShuffled(b *testing.B) {
	base, head := pairInputs(1_000_000, true)
	b.ReportAllocs()
	for b.Loop() {
		if p := Pair(base, head); p.N != 990_000 {
			b.Fatal(p.N)
		}
	}
}

// BenchmarkParseJSON100k reads a nested metrics file of 100,000 values:
// the work must stay linear in the file's size.
func BenchmarkParseJSON100k(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for i := 0; i < 1000; i++ {
		if i > 0 {
			buf.WriteString(",\n")
		}
		fmt.Fprintf(&buf, "  \"class_%d\": {", i)
		for j := 0; j < 100; j++ {
			if j > 0 {
				buf.WriteString(", ")
			}
			fmt.Fprintf(&buf, "\"m%d\": %d.5", j, i+j)
		}
		buf.WriteString("}")
	}
	buf.WriteString("\n}\n")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		set, err := Parse("big.json", data, FormatAuto)
		if err != nil || len(set.Metrics) != 100_000 {
			b.Fatal(err)
		}
	}
}

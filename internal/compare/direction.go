package compare

import (
	"strings"
	"unicode"
)

// DefaultDirection guesses which way the metric called name improves,
// for metrics the policy says nothing about.
//
// A metric is lower-is-better when a word of its name ends with one of
// the keywords loss, error, latency, time, runtime, perplexity, size and
// memory, or is the plural of such a word; every other metric is
// higher-is-better. Words are the runs of letters in the name, split
// also where a lower-case letter is followed by an upper-case one, and
// compared in lower case. So "eval_loss", "logloss", "MSELoss",
// "mean_squared_error", "num_errors", "latency_p95_ms", "eval_runtime",
// "walltime", "word_perplexity", "model_size_bytes" and "peak_memory_mb"
// are lower-is-better, while "timestamp", "accuracy", "f1" and
// "samples_per_second" are higher-is-better. Names that join words
// without a separator or a case change ("errorrate") are not split:
// state their direction in the policy.
func DefaultDirection(name string) Direction {
	start := -1 // byte offset of the current word, or -1
	var prev rune
	for i, r := range name {
		letter := unicode.IsLetter(r)
		if start >= 0 && (!letter || unicode.IsLower(prev) && unicode.IsUpper(r)) {
			if lowerWord(name[start:i]) {
				return LowerIsBetter
			}
			start = -1
		}
		if letter && start < 0 {
			start = i
		}
		prev = r
	}
	if start >= 0 && lowerWord(name[start:]) {
		return LowerIsBetter
	}
	return HigherIsBetter
}

// lowerWord reports whether word, or its singular, ends with a keyword of
// a lower-is-better metric.
func lowerWord(word string) bool {
	w := strings.ToLower(word)
	forms := [...]string{w, "", "", ""}
	if s, ok := strings.CutSuffix(w, "s"); ok {
		forms[1] = s // errors, times
		if s, ok := strings.CutSuffix(s, "e"); ok {
			forms[2] = s // losses
			if s, ok := strings.CutSuffix(s, "i"); ok {
				forms[3] = s + "y" // latencies, memories
			}
		}
	}
	keywords := [...]string{"loss", "error", "latency", "time", "runtime", "perplexity", "size", "memory"}
	for _, f := range forms {
		if f == "" {
			continue
		}
		for _, k := range keywords {
			if strings.HasSuffix(f, k) {
				return true
			}
		}
	}
	return false
}

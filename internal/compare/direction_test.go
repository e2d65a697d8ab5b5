package compare

import "testing"

func TestDefaultDirection(t *testing.T) {
	lower := []string{
		// Each keyword, alone and inside names.
		"loss", "eval_loss", "train/loss", "logloss", "MSELoss", "valLoss", "losses",
		"error", "mean_squared_error", "ErrorRate", "error_rate", "num_errors",
		"latency", "latency_p95_ms", "p50Latency", "latencies",
		"time", "eval_time", "walltime", "TimeToFirstToken", "times",
		"runtime", "eval_runtime", "train.runtime",
		"perplexity", "word_perplexity", "perplexities",
		"size", "model_size_bytes", "filesize", "sizes",
		"memory", "peak_memory_mb", "GPUMemory", "memories",
		"EVAL_LOSS", "Eval.Latency",
	}
	higher := []string{
		"accuracy", "eval_accuracy", "f1", "macro avg.f1-score", "hellaswag.acc,none",
		"acc_norm,none", "bleu", "rouge1", "samples_per_second", "eval_steps_per_second",
		"throughput", "auc", "precision", "recall",
		// Keywords inside words that do not end with them.
		"timestamp", "errorrate", "lossless", "sizeable", "memorization",
		"", "_", "123",
	}
	for _, name := range lower {
		if got := DefaultDirection(name); got != LowerIsBetter {
			t.Errorf("DefaultDirection(%q) = %q, want lower", name, got)
		}
	}
	for _, name := range higher {
		if got := DefaultDirection(name); got != HigherIsBetter {
			t.Errorf("DefaultDirection(%q) = %q, want higher", name, got)
		}
	}
}

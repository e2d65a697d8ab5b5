package steps

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		got  []string
		want string
	}{
		{"default train", TrainCommand(nil, false), "python3 train.py --out /model"},
		{"default train with data", TrainCommand(nil, true), "python3 train.py --out /model --data /data"},
		{"default given explicitly", TrainCommand(DefaultTrainCommand(), true), "python3 train.py --out /model --data /data"},
		{"user's train with data", TrainCommand([]string{"make", "train"}, true), "make train"},
		{"default evaluate", EvaluateCommand(nil, false), "python3 evaluate.py --model /model --out /eval"},
		{"default evaluate with data", EvaluateCommand(nil, true), "python3 evaluate.py --model /model --out /eval --data /data"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// Appending to a default never changes the next default.
	TrainCommand(nil, true)
	if slices.Contains(DefaultTrainCommand(), DataPath) {
		t.Error("the default command was changed")
	}
}

func TestParseEnv(t *testing.T) {
	env, err := ParseEnv([]string{"A=1", "B=x=y", "C="})
	if err != nil || len(env) != 3 || env[1] != (Env{"B", "x=y"}) || env[2] != (Env{"C", ""}) {
		t.Errorf("ParseEnv: %v, %v", env, err)
	}
	for _, bad := range []string{"A", "=1"} {
		if _, err := ParseEnv([]string{bad}); err == nil || !strings.Contains(err.Error(), "expected NAME=VALUE") {
			t.Errorf("ParseEnv(%q): %v", bad, err)
		}
	}
}

func TestCheckGPUs(t *testing.T) {
	for _, ok := range [][]string{nil, {"all"}, {"0"}, {"0", "1"}} {
		if err := CheckGPUs(ok); err != nil {
			t.Errorf("CheckGPUs(%q): %v", ok, err)
		}
	}
	for _, bad := range [][]string{{"all", "0"}, {""}, {"0", "all"}} {
		if err := CheckGPUs(bad); err == nil {
			t.Errorf("CheckGPUs(%q) passed", bad)
		}
	}
}

func TestSecretEnvName(t *testing.T) {
	for uri, want := range map[string]string{"env://HF_TOKEN": "HF_TOKEN", "env:WANDB_API_KEY": "WANDB_API_KEY"} {
		if got, err := SecretEnvName(uri); err != nil || got != want {
			t.Errorf("SecretEnvName(%q) = %q, %v", uri, got, err)
		}
	}
	for _, bad := range []string{"file:///run/token", "cmd://pass show x", "env://", "op://vault/item"} {
		if _, err := SecretEnvName(bad); err == nil || !strings.Contains(err.Error(), "with-secret") {
			t.Errorf("SecretEnvName(%q): %v", bad, err)
		}
	}
}

func TestExplain(t *testing.T) {
	engine := errors.New(`process "nvidia-smi" did not complete: GPU support is not enabled`)
	err := Explain("train", []string{"all"}, engine)
	if !strings.Contains(err.Error(), "_EXPERIMENTAL_DAGGER_GPU_SUPPORT=1") || !strings.Contains(err.Error(), "leave out --gpus") || !strings.HasPrefix(err.Error(), "train: ") {
		t.Errorf("advice missing: %v", err)
	}
	if err := Explain("train", nil, engine); !errors.Is(err, engine) || strings.Contains(err.Error(), "EXPERIMENTAL") {
		t.Errorf("no GPUs asked, yet: %v", err)
	}
	if Explain("x", nil, nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}

func TestCheckPolicyFrom(t *testing.T) {
	for _, ok := range []string{PolicyFromBase, PolicyFromHead} {
		if err := CheckPolicyFrom(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Base", "pr"} {
		err := CheckPolicyFrom(bad)
		if err == nil || !strings.Contains(err.Error(), `expected "base"`) {
			t.Errorf("%q: err %v, want one naming the choices", bad, err)
		}
	}
}

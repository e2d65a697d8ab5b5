// Command modelci is continuous integration for machine-learning models:
// it compares a head run's evaluation with its baseline, gates the change
// on the policy in .modelci.yaml, and renders the pull-request comment.
//
// Exit codes: 0 success or gate passed, 1 gate failed, 2 usage or input
// error, 130 interrupted (SIGINT, or SIGTERM as CI runners send on cancel).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Command reachgraph answers who can really write, approve or export in finance
// systems, and through which path. See the README for usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

func main() {
	if _, err := cli.SetMemoryLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "reachgraph:", err)
		os.Exit(cli.ExitUsage) // a malformed AUTOMEMLIMIT
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }() // the first signal cancels; a second one kills
	err := cli.Execute(ctx, cli.NewRoot(cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	stop()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "reachgraph:", err)
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		os.Exit(ee.Code)
	}
	os.Exit(cli.ExitUsage)
}

package main

import (
	"bufio"
	"context"
	"os"
	"runtime/pprof"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

func main() {
	f, _ := os.Create(os.Getenv("PROF"))
	pprof.StartCPUProfile(f)
	out, _ := os.Create(os.Getenv("OUT"))
	w := bufio.NewWriter(out)
	root := cli.NewRoot(cli.Env{Stdout: out, Stderr: os.Stderr, Getenv: os.Getenv})
	root.SetArgs(os.Args[1:])
	err := cli.Execute(context.Background(), root)
	w.Flush()
	pprof.StopCPUProfile()
	if err != nil {
		panic(err)
	}
}

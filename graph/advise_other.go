//go:build !linux

package graph

// WillNeed is advice the kernel takes on Linux only (see advise_linux.go).
func WillNeed[T any]([]T) {}

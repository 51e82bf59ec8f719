//go:build !linux

package memstore

func hugePages([]byte) {}

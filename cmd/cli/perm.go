package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// privateMode is the mode of every file reachgraph writes that lists who can
// reach what (reports, the workbook) or authenticates (the tokens file):
// readable and writable by its owner only.
const privateMode fs.FileMode = 0o600

// writePrivate writes b to path with mode 0600, also when path exists with
// a wider mode (os.WriteFile would keep it).
func writePrivate(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, privateMode)
	if err != nil {
		return err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != privateMode {
		if err := f.Chmod(privateMode); err != nil {
			_ = f.Close()
			return fmt.Errorf("%s: make it private (0600): %w", path, err)
		}
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// openPrivate opens a file that must not be readable by group or others
// (the tokens file) and refuses it otherwise, saying how to fix it.
func openPrivate(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		_ = f.Close()
		return nil, fmt.Errorf("%s has mode %04o: it must not be readable or writable by group or others; run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return f, nil
}

// writePrivateStream writes a private (0600) file with write, as it goes:
// a regular file (or a new one) is written under a temporary name beside
// it and renamed into place once write succeeds, so a failure leaves the
// old file (or none); anything else (a pipe, a device) is written in place.
// Failing to create the file is a usage error.
func writePrivateStream(path string, write func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return usageErr(err)
		}
		return errors.Join(write(f), f.Close())
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return usageErr(err)
	}
	if err := f.Chmod(privateMode); err != nil && runtime.GOOS != "windows" {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return fmt.Errorf("%s: make it private (0600): %w", path, err)
	}
	if err := errors.Join(write(f), f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return usageErr(err)
	}
	return nil
}

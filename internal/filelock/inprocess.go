//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package filelock

import (
	"os"
	"path/filepath"
	"sync"
)

// CrossProcess reports whether a Lock excludes other processes: not here,
// where the standard library has no flock; a Lock only excludes the other
// Locks of this process on the same path.
const CrossProcess = false

var (
	mu   sync.Mutex
	held = map[*os.File]string{}
	by   = map[string]bool{}
)

func key(f *os.File) string {
	if abs, err := filepath.Abs(f.Name()); err == nil {
		return abs
	}
	return f.Name()
}

func tryLock(f *os.File) (bool, error) {
	mu.Lock()
	defer mu.Unlock()
	k := key(f)
	if by[k] {
		return false, nil
	}
	by[k], held[f] = true, k
	return true, nil
}

func unlock(f *os.File) error {
	mu.Lock()
	defer mu.Unlock()
	if k, ok := held[f]; ok {
		delete(by, k)
		delete(held, f)
	}
	return nil
}

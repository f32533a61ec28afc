// Package filelock serializes changes to a file across processes with an
// exclusive advisory lock on a lock file beside it (the notebook's version
// index uses <name>.json.lock), waiting at most as long as a context allows.
//
// The standard library exports no file lock (cmd/go's lockedfile is
// internal), so the lock is hand-written on syscall.Flock, which the
// standard library offers on Linux, macOS, the BSDs and illumos; nothing
// outside the standard library is needed. flock locks belong to the open
// file: the kernel releases them when the holder closes the file or dies,
// so a crashed process never leaves a lock held, and two opens of the file
// exclude each other even within one process. Elsewhere (Windows, Solaris,
// wasm…) the lock only excludes holders within the process; see
// CrossProcess.
//
// The wait polls a non-blocking flock with a growing, jittered pause
// (1 ms up to 50 ms) rather than blocking in flock, because a blocked flock
// cannot be cancelled: the wait must end when the context does.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

// Lock is a held lock; release it with Unlock or Remove.
type Lock struct {
	f    *os.File
	path string
}

// maxPause bounds the pause between two tries while another holds the
// lock.
const maxPause = 50 * time.Millisecond

// Acquire takes the exclusive lock of the lock file at path, creating the
// file (not its directory) if needed. While another process (or another
// Lock of this one) holds it, Acquire waits until ctx is done and then
// fails with an error that names path and wraps ctx.Err().
func Acquire(ctx context.Context, path string) (*Lock, error) {
	start := time.Now()
	pause := time.Millisecond
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("filelock: %w", err)
		}
		for {
			ok, err := tryLock(f)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("filelock: locking %s: %w", path, err)
			}
			if ok {
				break
			}
			t := time.NewTimer(pause + rand.N(pause))
			select {
			case <-ctx.Done():
				t.Stop()
				f.Close()
				return nil, fmt.Errorf("filelock: gave up after %v waiting for the lock %s, which another process (or open file) holds: %w",
					time.Since(start).Round(time.Millisecond), path, ctx.Err())
			case <-t.C:
			}
			pause = min(2*pause, maxPause)
		}
		// A holder that removed the file (Remove) after we opened it left
		// us a lock on a file no longer at path, which excludes no one:
		// open path again.
		same, err := stillAt(f, path)
		if err != nil {
			unlock(f)
			f.Close()
			return nil, fmt.Errorf("filelock: %w", err)
		}
		if same {
			return &Lock{f: f, path: path}, nil
		}
		unlock(f)
		f.Close()
	}
}

// stillAt reports whether the open file f is still the file at path.
func stillAt(f *os.File, path string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(held, now), nil
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// Unlock releases the lock and leaves the lock file in place.
func (l *Lock) Unlock() error {
	err := unlock(l.f)
	// Closing releases a flock lock too, should the explicit unlock fail.
	return errors.Join(err, l.f.Close())
}

// Remove deletes the lock file, then releases the lock: for when what the
// file guards is gone, so that no lock file outlives it. It is safe while
// others wait: one that opened the removed file finds it gone once it gets
// the lock and opens path again (see Acquire).
func (l *Lock) Remove() error {
	err := os.Remove(l.path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return errors.Join(err, l.Unlock())
}

package filelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func acquire(t *testing.T, path string, wait time.Duration) (*Lock, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return Acquire(ctx, path)
}

// TestExclusive: while one Lock holds the file a second waits and gives
// up when its context ends, with an error naming the file; once released
// the file can be locked again.
func TestExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.json.lock")
	l, err := acquire(t, path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = acquire(t, path, 100*time.Millisecond)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Acquire while held: error %v, want a deadline error naming %s", err, path)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("second Acquire gave up after %v, want about 100ms", d)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := acquire(t, path, time.Second)
	if err != nil {
		t.Fatalf("Acquire after Unlock: %v", err)
	}
	l2.Unlock()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Unlock removed the lock file: %v", err)
	}
}

// TestWaits: a waiter gets the lock as soon as the holder releases it.
func TestWaits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := acquire(t, path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error)
	go func() {
		l2, err := acquire(t, path, 10*time.Second)
		if err == nil {
			err = l2.Unlock()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("waiter returned (%v) while the lock was held", err)
	default:
	}
	l.Unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// TestRemove: Remove deletes the lock file; a waiter that had opened the
// removed file takes the lock on a new one at the path, so it and a later
// Acquire still exclude each other.
func TestRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := acquire(t, path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *Lock)
	go func() {
		l2, err := acquire(t, path, 10*time.Second)
		if err != nil {
			t.Error(err)
		}
		got <- l2
	}()
	time.Sleep(50 * time.Millisecond) // the waiter has opened the file
	if err := l.Remove(); err != nil {
		t.Fatal(err)
	}
	l2 := <-got
	if l2 == nil {
		t.FailNow()
	}
	if ok, err := stillAt(l2.f, path); !ok || err != nil {
		t.Fatalf("the waiter holds a file no longer at %s (%v)", path, err)
	}
	if _, err := acquire(t, path, 50*time.Millisecond); err == nil {
		t.Fatal("a third Acquire took the lock the waiter holds")
	}
	l2.Remove()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after Remove: %v", err)
	}
}

// TestNoDirectory: Acquire creates the lock file, not its directory.
func TestNoDirectory(t *testing.T) {
	_, err := acquire(t, filepath.Join(t.TempDir(), "missing", "x.lock"), time.Second)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Acquire in a missing directory: error %v, want one wrapping ErrNotExist", err)
	}
}

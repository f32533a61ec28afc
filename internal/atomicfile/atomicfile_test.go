package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing string // content already at the path, "" for none
		data     string
	}{
		{"new file in a new directory", "", "hello"},
		{"replaces a file", "old contents, longer than the new", "new"},
		{"empty data", "x", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sub", "dir")
			path := filepath.Join(dir, "f.json")
			if tc.existing != "" {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(path, []byte(tc.existing), 0o600)
			}
			if err := Write(path, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != tc.data {
				t.Errorf("read back %q, %v; want %q", got, err, tc.data)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", st.Mode().Perm())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the file (no temporary left)", len(entries))
			}
		})
	}
}

func TestWriteFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty directory: the rename fails, and the
	// temporary file must not be left behind.
	target := filepath.Join(dir, "taken")
	os.MkdirAll(filepath.Join(target, "x"), 0o755)
	if err := Write(target, []byte("data")); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("after a failed write the directory holds %v, want only the original", entries)
	}
}

package fashion

import (
	"bytes"
	"os"
	"path/filepath"
)

// modulePath is this repository's Go module.
const modulePath = "github.com/fashion-gomlx/fashion-gomlx"

// RepoRoot returns the nearest directory at or above the working directory
// whose go.mod declares this module, or "".
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.HasPrefix(bytes.TrimSpace(data), []byte("module "+modulePath+"\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
